"""The page's own style and script, inlined (the page loads nothing from anywhere).

The script sorts a table when its header is clicked, and fills `#detail` when an event (or a
validity bar, or an entries row) is clicked: it copies that entry's row of `#entries`, so the
full evidence and every source link appear without a second copy of the data. On an
aggregated chart a click lists the entries of that lane and month. A packed table
(`page.py`) is unpacked into `#entries` first; `#entries` gets `data-ready="true"` when its
rows are in."""

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d1d1f;
  background:#fafafa}
header,main,section{margin:0 auto;max-width:1500px;padding:0 20px}
header h1{font-size:22px;margin:16px 0 4px}
header p{margin:2px 0;color:#444}
#aggregated{background:#fff4d6;border:1px solid #e6c566;padding:6px 10px;border-radius:4px}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 360px;gap:16px;align-items:start}
@media (max-width:1100px){.layout{grid-template-columns:minmax(0,1fr)}}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 12px;margin:12px 0}
.card h2{font-size:15px;margin:4px 0 8px}
#detail dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:0}
#detail dt{font-weight:600;color:#555}
#detail dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:13px;background:#fff}
th,td{border-bottom:1px solid #e5e5e5;padding:4px 6px;text-align:left;vertical-align:top}
table.sortable th{cursor:pointer;user-select:none;white-space:nowrap;background:#f2f2f2}
th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
tr.picked{background:#fff4d6}
#entries td:nth-child(9){min-width:320px}
.day{white-space:nowrap}
#active-permits{font-size:12px}
#active-permits td,#active-permits th{padding:4px 4px}
.entries{content-visibility:auto;contain-intrinsic-size:auto 2000px}
#provenance dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}
#provenance dt{font-weight:600;color:#555}
#provenance dd{margin:0;font-family:ui-monospace,monospace;overflow-wrap:anywhere}
"""

JS = """
(function () {
  function cellValue(row, col) {
    var cell = row.cells[col];
    if (!cell) return '';
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent;
  }
  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    if (!isNaN(x) && !isNaN(y) && String(x) === a.trim() && String(y) === b.trim()) return x - y;
    return a.localeCompare(b);
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener('click', function () {
        var down = th.getAttribute('aria-sort') === 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', down ? 'descending' : 'ascending');
        var body = table.tBodies[0];
        var rows = Array.prototype.filter.call(body.rows, function (r) {
          return !r.classList.contains('empty');
        });
        rows.sort(function (r, s) {
          var c = compare(cellValue(r, col), cellValue(s, col));
          return down ? -c : c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  var entries = document.getElementById('entries');
  var detail = document.getElementById('detail');
  if (!entries || !detail) return;
  var body = entries.tBodies[0];
  var heads = Array.prototype.map.call(entries.tHead.rows[0].cells, function (th) {
    return th.textContent;
  });
  var picked = null;
  function pick(tr) {
    if (picked) picked.classList.remove('picked');
    picked = tr;
    if (tr) tr.classList.add('picked');
  }
  function rowOf(key) {
    return body.querySelector('tr[data-key="' + CSS.escape(key) + '"]');
  }
  function showEntry(key) {
    var tr = rowOf(key);
    if (!tr) return;
    var title = document.createElement('h2');
    title.textContent = 'Event';
    var dl = document.createElement('dl');
    Array.prototype.forEach.call(tr.cells, function (td, i) {
      var dt = document.createElement('dt');
      dt.textContent = heads[i];
      var dd = document.createElement('dd');
      dd.innerHTML = td.innerHTML;
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    detail.replaceChildren(title, dl);
    detail.dataset.key = key;
    pick(tr);
  }
  function showMonth(key) {
    var cut = key.lastIndexOf('|');
    var lane = key.slice(0, cut), month = key.slice(cut + 1);
    var title = document.createElement('h2');
    var list = document.createElement('ul');
    var n = 0;
    Array.prototype.forEach.call(body.rows, function (tr) {
      if (tr.dataset.lane !== lane || tr.dataset.month !== month) return;
      n += 1;
      var li = document.createElement('li');
      li.textContent = tr.cells[0].textContent + ' ' + tr.cells[1].textContent + ': ' +
        (tr.cells[2].textContent || tr.cells[3].textContent);
      li.addEventListener('click', function () { showEntry(tr.dataset.key); });
      list.appendChild(li);
    });
    title.textContent = lane + ', ' + month + ': ' + n + ' events';
    detail.replaceChildren(title, list);
    detail.dataset.key = key;
  }
  body.addEventListener('click', function (ev) {
    var tr = ev.target.closest('tr');
    if (ev.target.tagName !== 'A' && tr && tr.dataset.key) showEntry(tr.dataset.key);
  });
  var chart = document.getElementById('timeline');
  if (chart && chart.on) {
    chart.on('plotly_click', function (ev) {
      var p = ev.points && ev.points[0];
      if (!p || !p.customdata || p.customdata[0] == null) return;
      var key = String(p.customdata[0]);
      if (document.getElementById('aggregated') && p.data.meta === 'event') showMonth(key);
      else showEntry(key);
    });
  }
  // A large table comes packed (gzip, base64): unpacked here, without any request.
  var packed = document.getElementById('entries-rows');
  if (!packed) {
    entries.dataset.ready = 'true';
    return;
  }
  var text = atob(packed.textContent.trim());
  var bytes = new Uint8Array(text.length);
  for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  new Response(stream).text().then(function (rows) {
    body.innerHTML = rows;
    entries.dataset.ready = 'true';
  });
})();
"""
