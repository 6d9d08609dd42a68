/* crmx inside sao (Tryton's web client), which loads custom.js from its
 * root: a "crmx" button opens a side panel with the crmx panel of the
 * party on screen, or the user's pipeline.  Panels are fetched with the
 * user's own Tryton session in the Authorization header (sao keeps no
 * cookie); nginx checks it and tells crmx who the user is. */
(function () {
    'use strict';
    var panel = null, body = null;

    function session_header() {
        var s = window.Sao && Sao.Session && Sao.Session.current_session;
        return s && s.session ? 'Session ' + s.get_auth() : null;
    }

    /* The party open in the current tab, if any. */
    function current_party() {
        var tab = Sao.Tab && Sao.Tab.tabs && Sao.Tab.tabs.get_current();
        var screen = tab && tab.screen;
        if (screen && screen.model_name === 'party.party' && screen.current_record &&
            screen.current_record.id > 0) {
            return screen.current_record.id;
        }
        return null;
    }

    function language() {
        var s = Sao.Session && Sao.Session.current_session;
        var lang = s && s.context && s.context.language;
        return lang ? lang.replace('_', '-') : '';
    }

    /* GET a panel, or POST one of its forms (form: URLSearchParams). */
    function load(path, form) {
        var auth = session_header();
        if (!auth) {
            body.textContent = 'Log in to Tryton first.';
            return;
        }
        var url = /[?&]embed=1/.test(path) ? path :
                  path + (path.indexOf('?') < 0 ? '?' : '&') + 'embed=1';
        var init = { headers: { 'Authorization': auth, 'Accept-Language': language() },
                     credentials: 'same-origin' };
        if (form) {
            init.method = 'POST';
            init.body = form;   /* sent as application/x-www-form-urlencoded */
        }
        /* A saved form answers 303: fetch follows it with the same headers. */
        fetch(url, init)
            .then(function (r) {
                var back = new URL(r.url);
                if (form && r.redirected && back.search.indexOf('embed=1') < 0) {
                    load(back.pathname);    /* the saved panel, as a fragment */
                    return null;
                }
                return r.text();
            })
            .then(function (html) {
                /* crmx's own HTML: every value in it escaped by crmx.fcgi. */
                if (html !== null) {
                    body.innerHTML = html;
                }
            })
            .catch(function (e) { body.textContent = 'crmx: ' + e; });
    }

    function open() {
        if (!panel) {
            panel = document.createElement('aside');
            panel.id = 'crmx-panel';
            var bar = document.createElement('div');
            bar.className = 'crmx-bar';
            [['Pipeline', function () { load('/crmx/pipeline'); }],
             ['Accounts', function () { load('/crmx/accounts'); }],
             ['×', function () { panel.hidden = true; }]].forEach(function (b) {
                var a = document.createElement('button');
                a.type = 'button';
                a.textContent = b[0];
                a.addEventListener('click', b[1]);
                bar.appendChild(a);
            });
            body = document.createElement('div');
            body.className = 'crmx-body';
            /* Links inside a panel load into the panel, with the session. */
            body.addEventListener('click', function (e) {
                var a = e.target.closest && e.target.closest('a[href^="/crmx/"]');
                if (a) {
                    e.preventDefault();
                    load(a.getAttribute('href'));
                }
            });
            /* Forms too: a plain submit would carry no session. */
            body.addEventListener('submit', function (e) {
                var f = e.target;
                var action = f.getAttribute('action') || '';
                if (action.indexOf('/crmx/') === 0) {
                    e.preventDefault();
                    load(action, new URLSearchParams(new FormData(f)));
                }
            });
            panel.appendChild(bar);
            panel.appendChild(body);
            document.body.appendChild(panel);
        }
        panel.hidden = false;
        var party = current_party();
        load(party ? '/crmx/accounts/' + party : '/crmx/pipeline');
    }

    function add_button() {
        if (document.getElementById('crmx-open')) {
            return;
        }
        var css = document.createElement('link');
        css.rel = 'stylesheet';
        css.href = '/crmx/static/crmx.css';
        document.head.appendChild(css);
        var b = document.createElement('button');
        b.id = 'crmx-open';
        b.type = 'button';
        b.textContent = 'crmx';
        b.title = 'Sales panel of this party, or your pipeline';
        b.addEventListener('click', open);
        document.body.appendChild(b);
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', add_button);
    } else {
        add_button();
    }
}());
