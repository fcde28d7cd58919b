/**
 * The HTML report's inline style sheet and script (no external resource: the page opens from disk
 * with no network).
 * @module
 */

/** Phase colours, shared by the bars, the legend and the detail. */
export const phaseColors = {
  queue: '#9e9e9e',
  dns: '#26a69a',
  connect: '#fb8c00',
  tls: '#8e24aa',
  send: '#5c6bc0',
  wait: '#43a047',
  transfer: '#1e88e5',
} as const;

const phaseRules = Object.entries(phaseColors)
  .map(([phase, color]) => `.ph-${phase}{background:${color}}`)
  .join('\n');

export const css = `
:root{color-scheme:light;font:13px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa}
body{margin:16px 24px}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:15px;margin:20px 0 8px}
h4{margin:10px 0 4px;font-size:12px}
.meta,.none,.where{color:#666}
table{border-collapse:collapse}
table.summary th,table.summary td{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right;white-space:nowrap}
table.summary th:first-child,table.summary td:first-child{text-align:left}
table.summary tfoot td{font-weight:600}
.legend{display:flex;gap:14px;flex-wrap:wrap;margin:0 0 8px}
.legend span{display:inline-flex;align-items:center;gap:4px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;vertical-align:middle;margin-right:3px}
table.waterfall{width:100%;table-layout:fixed;background:#fff;border:1px solid #ddd}
table.waterfall th,table.waterfall td{padding:2px 6px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table.waterfall thead th{text-align:left;border-bottom:1px solid #ccc;font-weight:600}
col.c-num{width:32px}col.c-name{width:30%}col.c-status{width:104px}col.c-conn{width:96px}col.c-time{width:70px}
tbody.conn-group{border-left:4px solid var(--conn,#bbb)}
tbody.conn-group+tbody.conn-group{border-top:2px solid #e4e4e4}
tr.group-head td{background:#f3f3f3;color:#444;font-size:12px;padding:3px 6px}
.chip{display:inline-block;padding:0 5px;border-radius:8px;color:#fff;background:var(--conn,#888);font-size:11px}
tr.req{cursor:pointer}
tr.req:hover,tr.req.same-conn{background:#eef5ff}
tr.req.open{background:#e3efff}
tr.req.failed td.status{color:#c62828;font-weight:600}
tr.req:focus{outline:2px solid #1e88e5;outline-offset:-2px}
.track{position:relative;height:14px;background-image:repeating-linear-gradient(to right,#eee 0 1px,transparent 1px var(--grid,10%))}
.seg{position:absolute;top:2px;height:10px;min-width:1px}
.fail-mark{position:absolute;top:-2px;color:#c62828;font-weight:700;font-size:13px;margin-left:2px}
.axis{position:relative;height:16px}
.axis span{position:absolute;font-weight:400;color:#666;font-size:11px;transform:translateX(-50%)}
.axis span:first-child{transform:none}
tr.detail td{white-space:normal;background:#fcfcfc;border-bottom:1px solid #ccc}
.detail-body{padding:6px 8px 10px}
.detail-body .url{font-family:ui-monospace,monospace;word-break:break-all}
.error-text,.fail-text{color:#c62828;font-weight:600}
table.hooks td,table.hooks th,table.headers td,table.headers th{padding:1px 8px 1px 0;text-align:left;vertical-align:top;font-family:ui-monospace,monospace;font-size:12px}
table.hooks td.args{word-break:break-all;white-space:normal;color:#444}
table.hooks tr.err td{color:#c62828}
ul.phases{list-style:none;display:flex;gap:12px;flex-wrap:wrap;padding:0;margin:2px 0}
${phaseRules}
`;

/** Click (or Enter/Space) on a row toggles its detail; hovering a row lights up the rows of its connection. */
export const script = `
(function(){
  var rows=document.querySelectorAll('tr.req');
  function toggle(row){
    var detail=row.nextElementSibling;
    var open=detail.hidden;
    detail.hidden=!open;
    row.setAttribute('aria-expanded',String(open));
    row.classList.toggle('open',open);
  }
  function light(row,on){
    var conn=row.getAttribute('data-conn');
    if(!conn)return;
    rows.forEach(function(r){if(r.getAttribute('data-conn')===conn)r.classList.toggle('same-conn',on);});
  }
  rows.forEach(function(row){
    row.addEventListener('click',function(){toggle(row);});
    row.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();toggle(row);}});
    row.addEventListener('mouseenter',function(){light(row,true);});
    row.addEventListener('mouseleave',function(){light(row,false);});
  });
})();
`;
