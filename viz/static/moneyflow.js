/* netintel money-flow views: flow, Sankey and time-ordered, drawn as SVG in the page.
 * Offline, no library.  Data comes from <script type="application/json" id="trail-data">
 * (never executed): {transfers:[{txn_id,source,target,amount,currency,at}],
 *  accounts:[{account,total_in,total_out,info:{holders:[{id,label,name}],holder_name,bank_code,account_number}}],
 *  start, target}.
 * Exposes window.moneyflow = {data, view, draw(view), png()} for the page and the tests.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var el = document.getElementById("trail-data");
  if (!el) return;
  var data = JSON.parse(el.textContent);
  var host = document.getElementById("trail-view");
  var fmtAmount = new Intl.NumberFormat("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
  var fmtDate = new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Bangkok", year: "numeric", month: "short",
                                                  day: "2-digit", hour: "2-digit", minute: "2-digit"});
  var fmtDay = new Intl.DateTimeFormat("en-GB", {timeZone: "Asia/Bangkok", year: "numeric", month: "short",
                                                 day: "2-digit"});
  function money(v, cur) { return fmtAmount.format(v) + (cur ? " " + cur : ""); }

  function node(tag, attrs, parent, text) {
    var n = document.createElementNS(NS, tag);
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) n.setAttribute(k, attrs[k]);
    if (text !== undefined) n.textContent = text;
    if (parent) parent.appendChild(n);
    return n;
  }

  var accounts = {};
  data.accounts.forEach(function (a) { accounts[a.account] = a; });
  var currencies = {};
  data.transfers.forEach(function (t) { if (t.currency) currencies[t.currency] = 1; });
  var oneCur = Object.keys(currencies).length === 1 ? Object.keys(currencies)[0] : "";

  function holders(acc) {
    var a = accounts[acc];
    if (!a) return [];
    var hs = (a.info && a.info.holders) || [];
    if (!hs.length && a.info && a.info.holder_name) return [{id: null, label: "", name: a.info.holder_name}];
    return hs;
  }

  // pairs: one link per (source, target) with the sum of its transfers
  function pairs() {
    var m = {}, out = [];
    data.transfers.forEach(function (t) {
      var k = t.source + "\u0001" + t.target;
      if (!m[k]) { m[k] = {source: t.source, target: t.target, amount: 0, count: 0, first: t.at, last: t.at};
                   out.push(m[k]); }
      m[k].amount += t.amount; m[k].count += 1;
      if (t.at < m[k].first) m[k].first = t.at;
      if (t.at > m[k].last) m[k].last = t.at;
    });
    return out;
  }

  // levels: breadth-first from the start account along the money (backward traces go right to left)
  function levels(links) {
    var lev = {}, order = [];
    var start = data.start;
    var outs = {}, ins = {};
    links.forEach(function (l) { (outs[l.source] = outs[l.source] || []).push(l.target);
                                 (ins[l.target] = ins[l.target] || []).push(l.source); });
    var roots = [];
    if (start && accounts[start]) roots = [start];
    else data.accounts.forEach(function (a) { if (!ins[a.account]) roots.push(a.account); });
    if (!roots.length && data.accounts.length) roots = [data.accounts[0].account];
    var backward = data.direction === "backward";
    var queue = roots.slice();
    roots.forEach(function (r) { lev[r] = 0; order.push(r); });
    while (queue.length) {
      var v = queue.shift();
      var next = backward ? (ins[v] || []) : (outs[v] || []);
      next.forEach(function (w) { if (lev[w] === undefined) { lev[w] = lev[v] + 1; order.push(w); queue.push(w); } });
    }
    data.accounts.forEach(function (a) { if (lev[a.account] === undefined) { lev[a.account] = 0; order.push(a.account); } });
    if (backward) { var mx = 0; for (var k in lev) mx = Math.max(mx, lev[k]); for (var j in lev) lev[j] = mx - lev[j]; }
    return {lev: lev, order: order};
  }

  function svgRoot(w, h, title) {
    host.textContent = "";
    var svg = node("svg", {xmlns: NS, width: w, height: h, viewBox: "0 0 " + w + " " + h, role: "img",
                           "aria-label": title, "class": "mf-svg", "font-family": "Noto Sans Thai, Noto Sans, DejaVu Sans, sans-serif",
                           "font-size": "12"}, host);
    node("rect", {x: 0, y: 0, width: w, height: h, fill: "#ffffff"}, svg);
    var defs = node("defs", {}, svg);
    var mk = node("marker", {id: "mf-arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 11, markerHeight: 11,
                             orient: "auto-start-reverse", markerUnits: "userSpaceOnUse"}, defs);
    node("path", {d: "M0,0 L10,5 L0,10 z", fill: "#457b9d"}, mk);
    return svg;
  }

  function accountLabel(g, acc, x, y, w) {
    var a = accounts[acc] || {total_in: 0, total_out: 0};
    var isStart = acc === data.start || acc === data.target;
    var hs = holders(acc);
    var h = 44 + 15 * Math.max(hs.length, 1);
    var box = node("g", {"class": "mf-account", "data-account": acc}, g);
    node("rect", {x: x, y: y, width: w, height: h, rx: 6, fill: isStart ? "#fde8d8" : "#f1f5f9",
                  stroke: isStart ? "#e76f51" : "#94a3b8", "stroke-width": isStart ? 2 : 1}, box);
    var link = node("a", {href: "/ui/trace?account=" + encodeURIComponent(acc)}, box);
    node("text", {x: x + 8, y: y + 16, "font-weight": "700", fill: "#1d3557"}, link, acc);
    if (hs.length) {
      hs.forEach(function (hd, i) {
        var parent = box;
        if (hd.id) parent = node("a", {href: "/ui/entity/" + encodeURIComponent(hd.id), "class": "mf-holder"}, box);
        node("text", {x: x + 8, y: y + 32 + 15 * i, fill: "#333"}, parent,
             (hd.label === "Organisation" ? "\u25A3 " : hd.label === "Person" ? "\u25CF " : "") + hd.name);
      });
    } else {
      node("text", {x: x + 8, y: y + 32, fill: "#888"}, box, "holder unknown");
    }
    node("text", {x: x + 8, y: y + h - 8, fill: "#555", "font-size": "11", "class": "mf-totals"}, box,
         "in " + money(a.total_in) + " \u00B7 out " + money(a.total_out));
    return h;
  }

  function drawFlow() {
    var links = pairs();
    var L = levels(links);
    var colW = 390, boxW = 220, gap = 26;
    var cols = {}, pos = {};
    L.order.forEach(function (acc) { var l = L.lev[acc]; (cols[l] = cols[l] || []).push(acc); });
    var ncol = 0, maxH = 0;
    var heights = {};
    L.order.forEach(function (acc) { heights[acc] = 44 + 15 * Math.max(holders(acc).length, 1); });
    for (var c in cols) {
      ncol = Math.max(ncol, +c + 1);
      var y = 40;
      cols[c].forEach(function (acc) { pos[acc] = {x: 20 + c * colW, y: y}; y += heights[acc] + gap; });
      maxH = Math.max(maxH, y);
    }
    var W = Math.max(600, 40 + ncol * colW), H = Math.max(240, maxH + 90);
    var svg = svgRoot(W, H, "Money flow");
    node("text", {x: 20, y: 24, "font-weight": "700", "font-size": "14"}, svg,
         "Flow: edge width in proportion to the amount");
    var maxA = 0;
    links.forEach(function (l) { maxA = Math.max(maxA, l.amount); });
    var gl = node("g", {"class": "mf-links"}, svg);
    var gn = node("g", {"class": "mf-nodes"}, svg);
    links.forEach(function (l) {
      var s = pos[l.source], t = pos[l.target];
      if (!s || !t) return;
      var sw = 1.5 + 16 * l.amount / (maxA || 1);
      var x1 = s.x + boxW, y1 = s.y + heights[l.source] / 2, x2 = t.x, y2 = t.y + heights[l.target] / 2;
      var d, lx, ly;
      if (x2 > x1) {
        d = "M" + x1 + "," + y1 + " C" + (x1 + 60) + "," + y1 + " " + (x2 - 60) + "," + y2 + " " + x2 + "," + y2;
        lx = (x1 + x2) / 2; ly = (y1 + y2) / 2 - sw / 2 - 4;
      } else { // back or sideways: loop below
        var low = Math.max(y1, y2) + 60;
        x2 = t.x + boxW / 2; y2 = t.y + heights[l.target];
        d = "M" + x1 + "," + y1 + " C" + (x1 + 80) + "," + low + " " + (x2 + 40) + "," + (y2 + 50) + " " + x2 + "," + y2;
        lx = (x1 + x2) / 2; ly = Math.max(y1, y2) + 48 + sw / 2 + 12;
      }
      var g = node("g", {"class": "mf-link", "data-source": l.source, "data-target": l.target,
                         "data-amount": l.amount.toFixed(2)}, gl);
      node("path", {d: d, fill: "none", stroke: "#457b9d", "stroke-opacity": 0.55, "stroke-width": sw.toFixed(2),
                    "marker-end": "url(#mf-arrow)"}, g);
      node("title", {}, g, l.source + " \u2192 " + l.target + ": " + money(l.amount, oneCur) + " in " + l.count +
           " transfer" + (l.count > 1 ? "s" : "") + ", " + fmtDate.format(new Date(l.first)) +
           (l.count > 1 ? " \u2013 " + fmtDate.format(new Date(l.last)) : ""));
      node("text", {x: lx, y: ly, "text-anchor": "middle", fill: "#1d3557", "font-size": "11",
                    "class": "mf-amount", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke"}, g,
           money(l.amount, oneCur) + (l.count > 1 ? " (" + l.count + "\u00D7)" : ""));
    });
    L.order.forEach(function (acc) { accountLabel(gn, acc, pos[acc].x, pos[acc].y, boxW); });
    return svg;
  }

  function drawSankey() {
    var links = pairs();
    var L = levels(links);
    var fwd = links.filter(function (l) { return L.lev[l.target] > L.lev[l.source]; });
    var back = links.filter(function (l) { return L.lev[l.target] <= L.lev[l.source]; });
    var cols = {};
    L.order.forEach(function (acc) { var l = L.lev[acc]; (cols[l] = cols[l] || []).push(acc); });
    var vol = {};
    L.order.forEach(function (acc) { vol[acc] = 0; });
    var vin = {}, vout = {};
    fwd.forEach(function (l) { vout[l.source] = (vout[l.source] || 0) + l.amount; vin[l.target] = (vin[l.target] || 0) + l.amount; });
    L.order.forEach(function (acc) { vol[acc] = Math.max(vin[acc] || 0, vout[acc] || 0); });
    var colW = 300, nodeW = 16, gap = 34, innerH = 420;
    var scale = Infinity;
    for (var c in cols) {
      var tot = 0;
      cols[c].forEach(function (acc) { tot += vol[acc]; });
      var avail = innerH - gap * (cols[c].length - 1);
      if (tot > 0) scale = Math.min(scale, Math.max(avail, 60) / tot);
    }
    if (!isFinite(scale)) scale = 1;
    var pos = {}, ncol = 0, maxY = 0;
    for (var c2 in cols) {
      ncol = Math.max(ncol, +c2 + 1);
      var y = 50;
      cols[c2].forEach(function (acc) { var h = Math.max(4, vol[acc] * scale);
        pos[acc] = {x: 30 + c2 * colW, y: y, h: h, outY: y, inY: y}; y += h + gap; });
      maxY = Math.max(maxY, y);
    }
    var W = Math.max(600, 60 + ncol * colW + 160), H = Math.max(260, maxY + 30);
    var svg = svgRoot(W, H, "Sankey");
    node("text", {x: 20, y: 24, "font-weight": "700", "font-size": "14"}, svg,
         "Sankey: band width in proportion to the amount" + (back.length ? " (dashed: money going back)" : ""));
    var gl = node("g", {"class": "mf-bands"}, svg);
    fwd.sort(function (a, b) { return (pos[a.target].y - pos[b.target].y) || (b.amount - a.amount); });
    fwd.forEach(function (l) {
      var s = pos[l.source], t = pos[l.target], w = Math.max(1, l.amount * scale);
      var x1 = s.x + nodeW, x2 = t.x, y1 = s.outY, y2 = t.inY;
      s.outY += w; t.inY += w;
      var mx = (x1 + x2) / 2;
      var d = "M" + x1 + "," + y1 + " C" + mx + "," + y1 + " " + mx + "," + y2 + " " + x2 + "," + y2 +
              " L" + x2 + "," + (y2 + w) + " C" + mx + "," + (y2 + w) + " " + mx + "," + (y1 + w) + " " + x1 + "," + (y1 + w) + " Z";
      var g = node("g", {"class": "mf-band", "data-source": l.source, "data-target": l.target,
                         "data-amount": l.amount.toFixed(2)}, gl);
      node("path", {d: d, fill: "#a8dadc", "fill-opacity": 0.75, stroke: "#457b9d", "stroke-width": 0.5}, g);
      node("title", {}, g, l.source + " \u2192 " + l.target + ": " + money(l.amount, oneCur));
    });
    back.forEach(function (l) {
      var s = pos[l.source], t = pos[l.target];
      var d = "M" + (s.x + nodeW) + "," + (s.y + s.h / 2) + " C" + (s.x + 120) + "," + (H - 10) + " " +
              (t.x - 100) + "," + (H - 10) + " " + t.x + "," + (t.y + t.h / 2);
      var g = node("g", {"class": "mf-band mf-back", "data-source": l.source, "data-target": l.target,
                         "data-amount": l.amount.toFixed(2)}, gl);
      node("path", {d: d, fill: "none", stroke: "#e76f51", "stroke-dasharray": "5 4", "stroke-width": 1.5}, g);
      node("title", {}, g, l.source + " \u2192 " + l.target + " (back): " + money(l.amount, oneCur));
    });
    var gn = node("g", {"class": "mf-nodes"}, svg);
    L.order.forEach(function (acc) {
      var p = pos[acc], a = accounts[acc] || {total_in: 0, total_out: 0};
      var g = node("g", {"class": "mf-account", "data-account": acc}, gn);
      node("rect", {x: p.x, y: p.y, width: nodeW, height: p.h, fill: acc === data.start ? "#e76f51" : "#1d3557"}, g);
      var hs = holders(acc).map(function (h) { return h.name; }).join(", ");
      node("text", {x: p.x + nodeW + 6, y: p.y + 12, "font-weight": "700", fill: "#1d3557"}, g, acc);
      node("text", {x: p.x + nodeW + 6, y: p.y + 26, fill: "#333", "font-size": "11"}, g, hs || "holder unknown");
      node("text", {x: p.x + nodeW + 6, y: p.y + 40, fill: "#555", "font-size": "11"}, g,
           "in " + money(a.total_in) + " \u00B7 out " + money(a.total_out));
    });
    return svg;
  }

  function drawTime() {
    var tr = data.transfers.slice().sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
    var L = levels(pairs());
    var lanes = L.order.slice().sort(function (a, b) { return L.lev[a] - L.lev[b]; });
    var laneY = {}, laneH = 56, top = 60, left = 230, W = 1100, right = 150;
    lanes.forEach(function (acc, i) { laneY[acc] = top + i * laneH; });
    var H = top + lanes.length * laneH + 50;
    var t0 = tr.length ? Date.parse(tr[0].at) : 0, t1 = tr.length ? Date.parse(tr[tr.length - 1].at) : 1;
    if (t1 <= t0) t1 = t0 + 3600000;
    var span = t1 - t0;
    function X(t) { return left + 20 + (W - left - right) * (Date.parse(t) - t0) / span; }
    var tickFmt = span < 4 * 86400000 ? fmtDate : fmtDay;
    var svg = svgRoot(W, H, "Time-ordered");
    node("text", {x: 20, y: 24, "font-weight": "700", "font-size": "14"}, svg,
         "Time-ordered: each transfer at its time (Asia/Bangkok), from the payer's lane to the payee's");
    var ga = node("g", {"class": "mf-axis"}, svg);
    for (var i = 0; i <= 5; i++) {
      var tt = t0 + span * i / 5, x = left + 20 + (W - left - right) * i / 5;
      node("line", {x1: x, y1: top - 20, x2: x, y2: H - 40, stroke: "#e5e7eb"}, ga);
      node("text", {x: x, y: H - 24, "text-anchor": "middle", fill: "#555", "font-size": "11"}, ga,
           tickFmt.format(new Date(tt)));
    }
    lanes.forEach(function (acc) {
      var y = laneY[acc];
      node("line", {x1: left, y1: y, x2: W - 20, y2: y, stroke: "#cbd5e1"}, ga);
      var g = node("g", {"class": "mf-account", "data-account": acc}, ga);
      node("text", {x: 14, y: y - 4, "font-weight": "700", fill: acc === data.start ? "#e76f51" : "#1d3557"}, g, acc);
      node("text", {x: 14, y: y + 11, fill: "#333", "font-size": "11"}, g,
           holders(acc).map(function (h) { return h.name; }).join(", ") || "holder unknown");
    });
    var maxA = 0;
    tr.forEach(function (t) { maxA = Math.max(maxA, t.amount); });
    var gt = node("g", {"class": "mf-transfers"}, svg);
    tr.forEach(function (t, k) {
      var x = X(t.at), y1 = laneY[t.source], y2 = laneY[t.target];
      if (y1 === undefined || y2 === undefined) return;
      var sw = 1.5 + 8 * t.amount / (maxA || 1);
      var g = node("g", {"class": "mf-transfer", "data-txn": t.txn_id, "data-amount": t.amount.toFixed(2)}, gt);
      node("line", {x1: x, y1: y1, x2: x, y2: y2 + (y2 > y1 ? -4 : 4), stroke: "#457b9d", "stroke-width": sw.toFixed(2),
                    "stroke-opacity": 0.7, "marker-end": "url(#mf-arrow)"}, g);
      node("circle", {cx: x, cy: y1, r: 3, fill: "#1d3557"}, g);
      node("text", {x: x + 5, y: (y1 + y2) / 2 + (k % 2 ? 10 : -2), fill: "#1d3557", "font-size": "10",
                    stroke: "#fff", "stroke-width": 3, "paint-order": "stroke"}, g, money(t.amount, t.currency));
      node("title", {}, g, t.txn_id + ": " + t.source + " \u2192 " + t.target + ", " + money(t.amount, t.currency) +
           ", " + fmtDate.format(new Date(t.at)));
    });
    return svg;
  }

  var views = {flow: drawFlow, sankey: drawSankey, time: drawTime};
  var api = {data: data, view: null};
  api.draw = function (name) {
    if (!data.transfers.length) { host.textContent = "No transfers match these settings."; api.view = name; return; }
    views[name]();
    api.view = name;
    document.querySelectorAll("[data-view]").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-view") === name);
      b.setAttribute("aria-pressed", b.getAttribute("data-view") === name ? "true" : "false");
    });
  };
  api.png = function () {
    var svg = host.querySelector("svg");
    if (!svg) return;
    var text = new XMLSerializer().serializeToString(svg);
    var img = new Image();
    var w = +svg.getAttribute("width"), h = +svg.getAttribute("height");
    img.onload = function () {
      var c = document.createElement("canvas");
      c.width = w * 2; c.height = h * 2;
      var ctx = c.getContext("2d");
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      ctx.fillStyle = "#666"; ctx.font = "11px sans-serif";
      ctx.fillText(document.getElementById("trail-watermark").textContent, 10, h - 6);
      c.toBlob(function (blob) {
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = (data.filename || "money-trail") + "-" + api.view + ".png";
        document.body.appendChild(a); a.click(); a.remove();
      }, "image/png");
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  };
  document.querySelectorAll("[data-view]").forEach(function (b) {
    b.addEventListener("click", function (ev) { ev.preventDefault(); api.draw(b.getAttribute("data-view")); });
  });
  var png = document.getElementById("export-png");
  if (png) png.addEventListener("click", function (ev) { ev.preventDefault(); api.png(); });
  window.moneyflow = api;
  api.draw(data.view || "flow");
})();
