// The key figures of each framed page: every number cell and head
// (td.num, th.num), every value of a key-value table (table.kv td), the
// list's count (.count) and the line under the title (.meta).  One line
// per page:
//   WIDTH PATH figures=N hidden=M legends=L navout=K overflow=PX [first hidden: tag.class "text"]
// hidden: a figure with no box (display: none, or zero width or height),
// made invisible, or lying outside the page's width; legends: rows of a
// table of cards (table.cards tbody) drawn in another size than their
// table, as a list's legend row is (the first card of the team view was);
// navout: items of the top bar (links, the viewer's name) lying outside
// its dark box (on a phone the name wrapped below it, light on white);
// overflow: how far the page is wider than its frame (a phone would
// scroll sideways).
(function () {
  var pages = decodeURIComponent(location.hash.slice(1)).split(',').filter(Boolean);
  document.addEventListener('DOMContentLoaded', function () {
    var box = document.getElementById('frames');
    pages.forEach(function (p, i) {
      var bar = p.indexOf('|'), f = document.createElement('iframe');
      f.id = 'f' + i;
      f.width = p.slice(0, bar);
      f.style.width = p.slice(0, bar) + 'px';
      f.src = p.slice(bar + 1);
      box.appendChild(f);
    });
  });
  function hidden(el, win) {
    var r = el.getBoundingClientRect(), s = win.getComputedStyle(el);
    if (r.width < 1 || r.height < 1 || s.visibility !== 'visible' || s.display === 'none')
      return true;
    for (var e = el; e; e = e.parentElement)
      if (win.getComputedStyle(e).opacity === '0') return true;
    return r.left < -1 || r.right > win.innerWidth + 1;
  }
  window.addEventListener('load', function () {
    var lines = pages.map(function (p, i) {
      var f = document.getElementById('f' + i), d = f.contentDocument, w = f.contentWindow;
      if (!d || !d.body) return p.replace('|', ' ') + ' figures=0 hidden=0 overflow=0 not loaded';
      // (a table of cards drops its head row: each card labels its cells)
      var figs = Array.prototype.slice.call(
        d.querySelectorAll('td.num, th.num, table.kv td, .count, .meta'))
        .filter(function (el) { return !el.closest('table.cards thead'); });
      var bad = figs.filter(function (el) { return hidden(el, w); });
      var over = Math.max(0, d.documentElement.scrollWidth - w.innerWidth);
      var legends = Array.prototype.slice.call(d.querySelectorAll('table.cards tbody tr'))
        .filter(function (tr) {
          return w.getComputedStyle(tr).fontSize !== w.getComputedStyle(tr.closest('table')).fontSize;
        });
      var nav = d.querySelector('nav'), navout = 0;
      if (nav) {
        var nb = nav.getBoundingClientRect();
        navout = Array.prototype.slice.call(nav.children).filter(function (el) {
          var r = el.getBoundingClientRect();
          return r.top < nb.top - 1 || r.bottom > nb.bottom + 1;
        }).length;
      }
      var line = p.replace('|', ' ') + ' figures=' + figs.length + ' hidden=' + bad.length +
                 ' legends=' + legends.length + ' navout=' + navout + ' overflow=' + over;
      if (bad.length)
        line += ' first hidden: ' + bad[0].tagName.toLowerCase() + '.' + bad[0].className +
                ' "' + bad[0].textContent.trim().slice(0, 40) + '"';
      return line;
    });
    document.getElementById('out').textContent = lines.join('\n');
  });
})();
