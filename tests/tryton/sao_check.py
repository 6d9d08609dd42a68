"""Drives sao (Tryton's web client) in headless Chromium through the
DevTools protocol: gives sao the session of a user who logged in through
JSON-RPC, presses the crmx button custom.js adds, reads the side panel,
follows a link inside it, reads it again, sends the form it holds.  Prints the texts as JSON and
leaves a screenshot in WORKDIR/sao.png.

usage: /usr/bin/python3 sao_check.py CHROMIUM BASE_URL DB LOGIN UID KEY WORKDIR
"""
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

import websocket

chromium, base, db, login, uid, key, work = sys.argv[1:8]
profile = os.path.join(work, 'chromium-profile')
os.makedirs(profile, exist_ok=True)
try:        # a port file left by an earlier run would point elsewhere
    os.unlink(os.path.join(profile, 'DevToolsActivePort'))
except FileNotFoundError:
    pass
proc = subprocess.Popen(
    [chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic',
     '--no-first-run', '--disable-background-networking', '--disable-component-update',
     '--disable-sync', '--user-data-dir=' + profile, '--remote-debugging-port=0',
     'about:blank'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait(what, fn, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.2)
    raise SystemExit('sao_check: timed out waiting for ' + what)


try:
    def port():
        try:
            with open(os.path.join(profile, 'DevToolsActivePort')) as f:
                return f.readline().strip()
        except OSError:
            return None
    devtools = 'http://127.0.0.1:%s' % wait('Chromium', port)

    def page():
        try:
            with urllib.request.urlopen(devtools + '/json/list') as r:
                pages = [t for t in json.load(r) if t.get('type') == 'page']
        except OSError:
            return None
        return pages[0]['webSocketDebuggerUrl'] if pages else None
    ws = websocket.create_connection(wait('a page', page), timeout=30)
    seq = [0]

    def call(method, **params):
        seq[0] += 1
        ws.send(json.dumps({'id': seq[0], 'method': method, 'params': params}))
        while True:
            msg = json.loads(ws.recv())
            if msg.get('id') == seq[0]:
                if 'error' in msg:
                    raise SystemExit('sao_check: %s: %s' % (method, msg['error']))
                return msg['result']

    def js(expr):
        r = call('Runtime.evaluate', expression=expr, returnByValue=True)
        if 'exceptionDetails' in r:
            raise SystemExit('sao_check: %s: %s' % (expr[:60], r['exceptionDetails']))
        return r['result'].get('value')

    call('Page.navigate', url=base + '/')
    wait('sao and custom.js', lambda: js(
        "!!(window.Sao && Sao.Session && document.getElementById('crmx-open'))"))
    # The session sao would hold after this user's login.
    js("(function () { var s = new Sao.Session(%s, %s); s.user_id = %d; s.session = %s;"
       " Sao.Session.current_session = s; document.getElementById('crmx-open').click(); })()"
       % (json.dumps(db), json.dumps(login), int(uid), json.dumps(key)))
    body = "(document.querySelector('#crmx-panel .crmx-body') || {}).innerText || ''"
    pipeline = wait('the pipeline panel', lambda: js(body), 15)
    href = js("(function () { var a = document.querySelector("
              "'#crmx-panel .crmx-body a[href^=\"/crmx/deals/\"]');"
              " if (a) { a.click(); return a.getAttribute('href'); } return null; })()")
    account = wait("the linked panel", lambda: (lambda t: t if t and t != pipeline else None)(js(body)), 15)
    # Fill in the panel's form (the deal review; not a search box, which
    # is a GET form) and send it from sao.
    action = js("""(function () {
        var f = document.querySelector('#crmx-panel .crmx-body form[method=post]');
        if (!f) { return null; }
        f.querySelectorAll('textarea').forEach(function (t) { t.value = 'checked in sao'; });
        var seen = {};
        f.querySelectorAll('input[type=radio]').forEach(function (r) {
            if (!seen[r.name]) { r.checked = true; seen[r.name] = 1; } });
        f.querySelectorAll('select').forEach(function (s) {
            if (s.options.length > 1) { s.selectedIndex = 1; } });
        f.requestSubmit();
        return f.getAttribute('action'); })()""")
    before = account
    saved = wait('the panel after the form', lambda: (lambda t: t if t and t != before else None)(js(body)), 15)
    # A picture of the result, for people (WORKDIR/sao.png).
    call('Emulation.setDeviceMetricsOverride', width=1280, height=800, deviceScaleFactor=1,
         mobile=False)
    with open(os.path.join(work, 'sao.png'), 'wb') as f:
        f.write(base64.b64decode(call('Page.captureScreenshot', format='png')['data']))
    print(json.dumps({'pipeline': pipeline, 'link': href, 'account': account,
                      'form': action, 'saved': saved,
                      'location': js('location.pathname')}))
finally:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
