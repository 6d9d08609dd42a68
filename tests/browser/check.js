// After every frame and image has loaded: one line per page,
//   PAGE images=N broken=[srcs] h1=... h2=...|...
window.addEventListener('load', function () {
  var lines = [];
  ['en', 'zh'].forEach(function (id) {
    var d = document.getElementById(id).contentDocument;
    var imgs = Array.prototype.slice.call(d.images);
    var broken = imgs.filter(function (i) { return !i.complete || i.naturalWidth === 0 || i.naturalHeight === 0; })
                     .map(function (i) { return i.getAttribute('src'); });
    var h2 = Array.prototype.map.call(d.querySelectorAll('h2'), function (h) { return h.textContent; });
    lines.push(id + ' images=' + imgs.length + ' broken=[' + broken.join(',') + '] h1=' +
               (d.querySelector('h1') || {}).textContent + ' h2=' + h2.join('|'));
  });
  document.getElementById('out').textContent = lines.join('\n');
});
