/* netintel network page: data from #netintel-data (JSON, never executed as HTML).
   Every label/tooltip is created with textContent or drawn on canvas by vis-network.
   Without D.workspace (brokers, case views): a click on a node loads its neighbours.
   With D.workspace (the investigator's network page): click selects, double-click expands; filter panel,
   expand by relationship type, collapsed hubs expanded on demand, pin / hide / remove / undo, re-layout
   after each expansion, k shortest paths between two entities picked by name, saved investigations. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("netintel-data").textContent);
  var W = D.workspace || null;
  var statusEl = document.getElementById("ni-status");
  function status(t) { statusEl.textContent = t; }
  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function num(n) { return Number(n).toLocaleString("en-US"); }

  function tip(kind, pairs) {
    var d = el("div", null, "ni-tip");
    if (kind) d.appendChild(el("b", kind));
    var t = document.createElement("table");
    (pairs || []).forEach(function (p) {
      var tr = document.createElement("tr");
      tr.appendChild(el("th", p[0])); tr.appendChild(el("td", p[1]));
      t.appendChild(tr);
    });
    d.appendChild(t);
    return d;
  }
  function collapsedLook(o) {
    if (!o._collapsed) return o;
    o.label = truncate(o._name || o.label || o.id, D.maxLabel) + " (+" + num(o._degree || 0) + ")";
    o.size = D.baseSize * 1.8;
    o.borderWidth = 3;
    o.shapeProperties = { borderDashes: [5, 4] };
    return o;
  }
  function prep(item, kind) {
    var o = Object.assign({}, item);
    o.title = tip(kind, o._info);
    return collapsedLook(o);
  }
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(fmt).join(", ");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function truncate(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  var nodes = new vis.DataSet(D.nodes.map(function (n) { return prep(n, n._kind); }));
  var edges = new vis.DataSet([]);
  var container = $("ni-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, D.options);
  window.netintel = { network: network, nodes: nodes, edges: edges, data: D };

  /* ---- parallel relationships: unique ids, drawn as separate curves ---- */
  function pairKey(e) { var a = String(e.from), b = String(e.to); return a < b ? a + "\u0000" + b : b + "\u0000" + a; }
  var pairCount = {};
  function shapeParallel(e) {
    var k = pairKey(e);
    var i = pairCount[k] || 0;
    pairCount[k] = i + 1;
    if (i > 0) {
      e.smooth = { enabled: true, type: i % 2 ? "curvedCW" : "curvedCCW", roundness: Math.min(0.8, 0.15 * Math.ceil(i / 2)) };
    }
    return e;
  }
  function addEdges(list) {
    var seen = {};
    var fresh = list.filter(function (e) {
      if (seen[e.id] || edges.get(e.id)) return false;
      seen[e.id] = true;
      return nodes.get(e.from) && nodes.get(e.to);
    }).map(shapeParallel);
    edges.add(fresh);
    rebundle();
    return fresh;
  }

  /* ---- bundles: D.bundleAt or more relationships of one type between the same two entities (hundreds of
     transfers between two accounts, a route's journey legs) are drawn as one edge "\u00d7N", whose tooltip sums
     them; a double-click draws each, another bundles them again. The relationships stay in the data set,
     hidden, so that filters, counts, paths, undo and saved investigations work on them. ---- */
  var BUNDLE_AT = D.bundleAt || 4;
  var unbundled = {};
  function bundleKey(e) { return pairKey(e) + "\u0000" + String(e._type || ""); }
  function bundleEdge(k, g, shared) {
    var e0 = g[0], lo = null, hi = null, total = {}, agencies = {}, wide = 0, fwd = 0;
    g.forEach(function (e) {
      if (e._lo && (lo === null || String(e._lo) < lo)) lo = String(e._lo);
      if (e._hi && (hi === null || String(e._hi) > hi)) hi = String(e._hi);
      if (typeof e._amount === "number" && isFinite(e._amount)) {
        var c = e._currency || ""; total[c] = (total[c] || 0) + e._amount;
      }
      if (e._source) agencies[e._source] = true;
      wide = Math.max(wide, Number(e.width) || 0);
      if (e.from === e0.from) fwd += 1;
    });
    var a = nodes.get(e0.from), b = nodes.get(e0.to);
    var info = [["between", ((a && a._name) || e0.from) + " \u2014 " + ((b && b._name) || e0.to)],
                ["relationships", num(g.length)]];
    if (lo !== null || hi !== null) info.push(["dates", (lo || "?").slice(0, 10) + " \u2013 " + (hi || "?").slice(0, 10)]);
    Object.keys(total).sort().forEach(function (c) { info.push(["total" + (c ? " " + c : ""), num(Math.round(total[c] * 100) / 100)]); });
    var ags = Object.keys(agencies).sort();
    if (ags.length) info.push(["agencies", ags.join(", ")]);
    info.push(["double-click", "draw each"]);
    var be = { id: "bundle:" + k, from: e0.from, to: e0.to, hidden: false, _bundle: true, _count: g.length,
               _type: e0._type, _role: e0._role, _members: g.map(function (e) { return e.id; }),
               label: "\u00d7" + num(g.length), font: { size: 12 }, color: e0.color,
               width: Math.min(8, Math.max(wide, 1.5 + Math.log2(g.length))),
               smooth: shared ? { enabled: true, type: "curvedCCW", roundness: 0.25 } : { enabled: false } };
    if (D.directed) be.arrows = fwd === g.length ? "to" : (fwd === 0 ? "from" : "to, from");
    be.title = tip(String(e0._type || "relationship") + " \u00d7 " + num(g.length), info);
    return be;
  }
  function rebundle() {
    var groups = {}, pairs = {};
    edges.forEach(function (e) {
      if (e._bundle || e._shown === false) return;
      var k = bundleKey(e);
      if (!groups[k]) { groups[k] = []; var pk = pairKey(e); pairs[pk] = (pairs[pk] || 0) + 1; }
      groups[k].push(e);
    });
    var bundled = {}, want = {};
    Object.keys(groups).forEach(function (k) {
      var g = groups[k];
      if (g.length < BUNDLE_AT || unbundled[k]) return;
      g.forEach(function (e) { bundled[e.id] = true; });
      want["bundle:" + k] = bundleEdge(k, g, pairs[pairKey(g[0])] > 1);
    });
    var upd = [], add = [], drop = [];
    edges.forEach(function (e) {
      if (e._bundle) { if (!want[e.id]) drop.push(e.id); return; }
      var h = e._shown === false || !!bundled[e.id];
      if (!!e.hidden !== h) upd.push({ id: e.id, hidden: h });
    });
    Object.keys(want).forEach(function (id) { (edges.get(id) ? upd : add).push(want[id]); });
    if (drop.length) edges.remove(drop);
    if (upd.length) edges.update(upd);
    if (add.length) edges.add(add);
  }
  function toggleBundle(edgeId) {
    var e = edges.get(edgeId);
    if (!e) return;
    var k = e._bundle ? edgeId.slice("bundle:".length) : bundleKey(e);
    var n = edges.get({ filter: function (x) { return !x._bundle && x._shown !== false && bundleKey(x) === k; } }).length;
    if (n < BUNDLE_AT) return;
    if (W) snapshot();
    unbundled[k] = !!e._bundle;
    rebundle();
    status((e._bundle ? "drew each of " : "bundled ") + num(n) + " " + (e._type || "relationships") + " \u00b7 " + visibleCount());
    refreshLegend();
  }
  window.netintel.bundles = function () {
    return edges.get({ filter: function (e) { return e._bundle; } }).map(function (e) {
      return { id: e.id, from: e.from, to: e.to, type: e._type, count: e._count, members: e._members.slice() };
    });
  };
  window.netintel.toggleBundle = toggleBundle;
  network.on("doubleClick", function (p) {
    if ((p.nodes && p.nodes.length) || !p.edges || p.edges.length !== 1) return;
    toggleBundle(String(p.edges[0]));
  });
  addEdges(D.edges.map(function (e) { return prep(e, e._type); }));

  function settled() { status(visibleCount() + (D.fixed ? " (fixed layout)" : "")); refreshLegend(); }
  function visibleCount() {
    var n = nodes.get({ filter: function (x) { return !x.hidden; } }).length;
    var m = 0, inb = 0, nb = 0;
    edges.forEach(function (x) {
      if (x.hidden) return;
      m += x._count || 1;
      if (x._bundle) { inb += x._count; nb += 1; }
    });
    return num(n) + " nodes, " + num(m) + " edges" + (nb ? " (" + num(inb) + " in " + num(nb) + " bundle" + (nb > 1 ? "s" : "") + ")" : "");
  }
  if (!D.fixed) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      settled();
    });
  } else {
    setTimeout(settled, 0);  // after the rest of this script has set up the legend
  }

  /* ---- legend: follows what is shown (DOM, text only) ---- */
  var legend = $("ni-legend");
  var kindOff = {};
  function refreshLegend() {
    legend.textContent = "";
    legend.appendChild(el("h2", "Entities"));
    var counts = {}, ecounts = {};
    nodes.forEach(function (n) { if (!n.hidden || kindOff[n._kind]) counts[n._kind] = (counts[n._kind] || 0) + (n.hidden ? 0 : 1); });
    var kinds = D.legend.nodes.filter(function (row) { return counts[row[0]] !== undefined; });
    kinds.forEach(function (row) {
      var lab = document.createElement("label");
      var cb = document.createElement("input"); cb.type = "checkbox"; cb.checked = !kindOff[row[0]]; cb.dataset.kind = row[0];
      cb.addEventListener("change", function () {
        snapshot();
        kindOff[row[0]] = !cb.checked;
        applyVisibility();
      });
      var sw = el("span", null, "ni-sw"); sw.style.background = row[1];
      if (row[2] === "dot") sw.style.borderRadius = "50%";
      lab.appendChild(cb); lab.appendChild(sw); lab.appendChild(el("span", row[0] + " (" + num(counts[row[0]] || 0) + ")"));
      legend.appendChild(lab);
    });
    var nc = nodes.get({ filter: function (n) { return n._collapsed && !n.hidden; } }).length;
    if (nc) {
      var r0 = el("div", null, "ni-row"); var s0 = el("span", null, "ni-sw ni-sw-hub");
      r0.appendChild(s0); r0.appendChild(el("span", "collapsed hub (+relationships) \u00d7 " + nc)); legend.appendChild(r0);
    }
    if (D.legend.highlight.length) {
      legend.appendChild(el("h2", D.legend.highlight_title || "Highlighted"));
      D.legend.highlight.forEach(function (row) {
        var r = el("div", null, "ni-row"); var sw = el("span", null, "ni-sw");
        sw.style.border = "3px solid " + row[1]; sw.style.background = "#fff";
        r.appendChild(sw); r.appendChild(el("span", row[0])); legend.appendChild(r);
      });
    }
    edges.forEach(function (e) {
      if (e.hidden) return;
      var key = e._role || e._type || "relationship";
      var col = (e.color && e.color.color) || D.typeColor;
      if (!ecounts[key]) ecounts[key] = [0, col];
      ecounts[key][0] += e._count || 1;
    });
    var ekeys = Object.keys(ecounts).sort();
    if (ekeys.length) {
      legend.appendChild(el("h2", "Relationships / roles"));
      ekeys.forEach(function (k) {
        var r = el("div", null, "ni-row"); var sw = el("span", null, "ni-line"); sw.style.background = ecounts[k][1];
        r.appendChild(sw); r.appendChild(el("span", k + " (" + num(ecounts[k][0]) + ")")); legend.appendChild(r);
      });
    }
    if (D.expandUrl) legend.appendChild(el("p", W ? "Double-click a node to load its neighbours." : "Click a node to load its neighbours."));
    if (edges.get({ filter: function (e) { return e._bundle && !e.hidden; } }).length) {
      legend.appendChild(el("p", "\u00d7N: N relationships of one type between two entities, drawn as one; double-click it to draw each."));
    }
  }

  /* ---- search on the canvas ---- */
  var search = $("ni-search");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); status(visibleCount()); return; }
    var ids = nodes.getIds({ filter: function (n) { return !n.hidden && (n._search || "").indexOf(q) >= 0; } });
    network.selectNodes(ids);
    if (ids.length === 1) network.focus(ids[0], { scale: 1.2, animation: false });
    status(ids.length + " match" + (ids.length === 1 ? "" : "es"));
  });

  /* ---- records from the API \u2192 vis items ---- */
  function nodeFromRecord(r) {
    var kind = r.label;
    var st = D.styles[kind] || D.styles._default;
    var name = r.name !== undefined && r.name !== null ? r.name : r.id;
    var info = [["id", r.id], ["name", name]];
    Object.keys(r).sort().forEach(function (k) {
      if (k !== "id" && k !== "name" && k !== "label" && r[k] !== null && r[k] !== undefined) info.push([k, fmt(r[k])]);
    });
    var n = { id: String(r.id), label: truncate(name, D.maxLabel), shape: st.shape, color: st.color,
              size: D.baseSize, _kind: kind, _info: info, _name: String(name),
              _search: (String(name) + " " + String(r.id)).toLowerCase() };
    if (r.collapsed) { n._collapsed = true; n._degree = r.degree || 0; }
    if (typeof r.score === "number" && isFinite(r.score)) n.size = D.baseSize + D.sizeRange * Math.max(0, Math.min(1, r.score));
    return prep(n, kind);
  }
  function edgeFromRecord(r, i) {
    var info = [];
    Object.keys(r).sort().forEach(function (k) { if (k !== "from" && k !== "to" && k !== "id") info.push([k, fmt(r[k])]); });
    var id = r.id ? String(r.id) : "x:" + String(r.from) + "|" + String(r.to) + "|" + String(r.type || "") + "|" + i;
    var e = { id: id, from: String(r.from), to: String(r.to), _type: r.type, _role: r.role || null, _info: info,
              _source: r.source || null, _lo: r.at || r.first_seen || null, _hi: r.at || r.last_seen || null,
              _amount: typeof r.amount === "number" ? r.amount : null, _currency: r.currency || null,
              color: { color: (r.role && D.roleColors[r.role]) || D.typeColor } };
    if (D.directed) e.arrows = "to";
    return prep(e, e._type);
  }

  /* ---- placing new nodes: a ring around the expanded node, then a short local layout ---- */
  function ring(center, n) {
    var out = [], r = 90 + 14 * Math.sqrt(n), per = Math.max(8, Math.floor(2 * Math.PI * r / 34));
    for (var i = 0; i < n; i++) {
      var layer = Math.floor(i / per), k = i % per, cnt = Math.min(per, n - layer * per);
      var a = 2 * Math.PI * k / cnt + layer * 0.37, rr = r + layer * 70;
      out.push({ x: center.x + rr * Math.cos(a), y: center.y + rr * Math.sin(a) });
    }
    return out;
  }
  var pinned = {};
  function relayout(onlyNew, done) {
    var fix = [];
    nodes.forEach(function (n) {
      var keep = pinned[n.id] || (onlyNew && !onlyNew[n.id]);
      fix.push({ id: n.id, fixed: keep ? { x: true, y: true } : false, physics: true });
    });
    nodes.update(fix);
    network.setOptions({ physics: { enabled: true, stabilization: { enabled: true, iterations: 160, fit: false } } });
    network.once("stabilized", function () {
      network.setOptions({ physics: { enabled: false } });
      nodes.update(nodes.getIds().map(function (id) { return { id: id, fixed: pinned[id] ? { x: true, y: true } : false }; }));
      if (done) done();
    });
    network.stabilize(160);
  }

  /* ---- undo: snapshots of the canvas before each change ---- */
  var undoStack = [];
  var expanded = {};
  var userHidden = {};
  function snapshot() {
    undoStack.push({ nodes: nodes.get(), edges: edges.get({ filter: function (e) { return !e._bundle; } }),
                     pos: network.getPositions(), expanded: Object.assign({}, expanded),
                     pinned: Object.assign({}, pinned), userHidden: Object.assign({}, userHidden),
                     kindOff: Object.assign({}, kindOff), pairCount: Object.assign({}, pairCount),
                     unbundled: Object.assign({}, unbundled) });
    if (undoStack.length > 50) undoStack.shift();
    var b = $("ni-undo"); if (b) b.disabled = false;
  }
  function undo() {
    var s = undoStack.pop();
    if (!s) return;
    edges.clear(); nodes.clear();
    nodes.add(s.nodes.map(function (n) { var p = s.pos[n.id]; return p ? Object.assign(n, { x: p.x, y: p.y }) : n; }));
    edges.add(s.edges);
    expanded = s.expanded; pinned = s.pinned; userHidden = s.userHidden; kindOff = s.kindOff; pairCount = s.pairCount;
    unbundled = s.unbundled;
    rebundle();
    var b = $("ni-undo"); if (b) b.disabled = undoStack.length === 0;
    syncFilterForm();
    showSelected(null);
    status("undone \u00b7 " + visibleCount());
    refreshLegend();
  }

  /* ---- filters (workspace): what is shown, and what every expansion asks for ---- */
  var F = W ? Object.assign({ labels: null, types: null, agency: null, since: null, until: null }, W.filters || {}) : {};
  function edgeAllowed(e) {
    if (F.types && F.types.indexOf(e._type) < 0) return false;
    if (F.agency && e._source && e._source !== F.agency) return false;
    if (F.since && e._hi && String(e._hi).slice(0, 10) < F.since) return false;
    if (F.until && e._lo && String(e._lo).slice(0, 10) > F.until) return false;
    return true;
  }
  function nodeAllowed(n) {
    if (kindOff[n._kind]) return false;
    if (F.labels && F.labels.indexOf(n._kind) < 0 && !roots()[n.id]) return false;
    return !userHidden[n.id];
  }
  var pathEnds = {};
  function roots() {
    var r = {};
    if (W && W.start) r[W.start] = true;
    Object.keys(pinned).forEach(function (k) { if (pinned[k]) r[k] = true; });
    Object.keys(pathEnds).forEach(function (k) { r[k] = true; });
    if (!Object.keys(r).length && nodes.length) r[nodes.getIds()[0]] = true;
    return r;
  }
  /* hide what the filters exclude, then whatever is no longer connected to a root (no orphan cases) */
  function applyVisibility() {
    var ok = {};
    nodes.forEach(function (n) { ok[n.id] = nodeAllowed(n); });
    var eok = {}, adj = {};
    edges.forEach(function (e) {
      if (e._bundle) return;
      eok[e.id] = ok[e.from] && ok[e.to] && edgeAllowed(e);
      if (eok[e.id]) {
        (adj[e.from] = adj[e.from] || []).push(e.to);
        (adj[e.to] = adj[e.to] || []).push(e.from);
      }
    });
    if (W) {
      var reach = {}, queue = Object.keys(roots()).filter(function (k) { return ok[k]; });
      queue.forEach(function (k) { reach[k] = true; });
      while (queue.length) {
        var cur = queue.shift();
        (adj[cur] || []).forEach(function (m) { if (!reach[m]) { reach[m] = true; queue.push(m); } });
      }
      Object.keys(ok).forEach(function (k) { if (ok[k] && !reach[k]) ok[k] = false; });
    }
    nodes.update(nodes.getIds().map(function (id) { return { id: id, hidden: !ok[id] }; }));
    edges.update(edges.getIds({ filter: function (e) { return !e._bundle; } }).map(function (id) {
      var e = edges.get(id); return { id: id, _shown: !!(eok[id] && ok[e.from] && ok[e.to]) };
    }));
    rebundle();
    refreshLegend();
    status(visibleCount());
  }
  window.netintel.applyVisibility = applyVisibility;
  window.netintel.filters = function () { return Object.assign({}, F); };

  function filterParams(url) {
    if (!W) return url;
    if (F.labels) url.searchParams.set("labels", F.labels.join(","));
    if (F.types && !url.searchParams.get("types")) url.searchParams.set("types", F.types.join(","));
    if (F.agency) url.searchParams.set("agency", F.agency);
    if (F.since) url.searchParams.set("since", F.since);
    if (F.until) url.searchParams.set("until", F.until);
    return url;
  }

  /* ---- expand ---- */
  function expand(id, opts) {
    opts = opts || {};
    if (!D.expandUrl) return;
    var key = id + "|" + (opts.type || "") + "|" + (opts.hub ? "hub" : "");
    if (expanded[key]) { status("already expanded"); return; }
    var n0 = nodes.get(id);
    var base = D.expandUrl.split("{id}").join(encodeURIComponent(id));
    var url = new URL(base, window.location.href);
    if (url.origin !== window.location.origin) { status("expand refused: not same origin"); return; }
    if (W) {
      url.searchParams.set("depth", "1");
      if (n0 && n0._kind) url.searchParams.set("label", n0._kind);
      if (opts.type) url.searchParams.set("types", opts.type);
      if (opts.hub || (n0 && n0._collapsed)) { url.searchParams.set("expand", id); url.searchParams.set("hub_limit", String(W.hubLimit || 100)); }
      filterParams(url);
    }
    if (W) snapshot();
    expanded[key] = true;
    status("loading neighbours of " + (n0 && n0._name ? n0._name : id) + "\u2026");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var pos = network.getPositions([id])[id] || { x: 0, y: 0 };
        var recs = (data.nodes || []).filter(function (r) { return !nodes.get(String(r.id)); });
        var spots = ring(pos, recs.length);
        var newNodes = recs.map(function (r, i) { var n = nodeFromRecord(r); n.x = spots[i].x; n.y = spots[i].y; return n; });
        nodes.add(newNodes);
        var newEdges = addEdges((data.edges || []).map(edgeFromRecord));
        if (n0 && n0._collapsed && (opts.hub || !opts.type)) {
          nodes.update(Object.assign({ id: id, _collapsed: false, label: truncate(n0._name || id, D.maxLabel), size: D.baseSize,
                                       borderWidth: 1, shapeProperties: { borderDashes: false } }));
        }
        var msg = "+" + newNodes.length + " nodes, +" + newEdges.length + " edges";
        if (n0 && n0._degree && (opts.hub || (n0._collapsed && !opts.type))) {
          msg += " \u00b7 hub: " + num(Math.min(n0._degree, W ? W.hubLimit : n0._degree)) + " of " + num(n0._degree) + " relationships loaded (cap)";
        }
        if (data.truncated) msg += " \u00b7 capped";
        if (W) {
          applyVisibility();
          if (newNodes.length) {
            var only = {}; newNodes.forEach(function (n) { only[n.id] = true; });
            relayout(only, function () { status(msg + " \u00b7 " + visibleCount()); refreshLegend(); });
          }
        } else {
          refreshLegend();
        }
        status(msg);
        if (W && selected === id) showSelected(id);
      })
      .catch(function (err) { expanded[key] = false; status("expand failed: " + err.message); });
  }
  window.netintel.expand = expand;

  /* ---- selection panel (workspace) ---- */
  var selected = null;
  function showSelected(id) {
    selected = id;
    if (!W) return;
    var n = id ? nodes.get(id) : null;
    $("ni-sel").hidden = !n; $("ni-sel-none").hidden = !!n;
    if (!n) return;
    $("ni-sel-name").textContent = n._name || n.label || n.id;
    var deg = edges.get({ filter: function (e) { return !e._bundle && (e.from === id || e.to === id); } }).length;
    $("ni-sel-meta").textContent = n._kind + " \u00b7 " + n.id + " \u00b7 " + num(deg) + " relationships on the canvas" +
      (n._collapsed ? " \u00b7 collapsed hub with " + num(n._degree) + " relationships" : "");
    var hub = $("ni-expand-hub");
    hub.hidden = !n._collapsed;
    hub.textContent = "Expand hub (first " + num(Math.min(n._degree || 0, W.hubLimit)) + " of " + num(n._degree || 0) + ")";
    $("ni-pin").textContent = pinned[id] ? "Unpin" : "Pin";
    $("ni-profile").href = "/ui/entity/" + encodeURIComponent(id) + (n._kind ? "?label=" + encodeURIComponent(n._kind) : "");
  }
  if (W) {
    network.on("click", function (p) { showSelected(p.nodes && p.nodes.length === 1 ? String(p.nodes[0]) : null); });
    network.on("doubleClick", function (p) { if (p.nodes && p.nodes.length === 1) expand(String(p.nodes[0])); });
    network.on("dragEnd", function (p) {
      (p.nodes || []).forEach(function (id) { if (pinned[id]) nodes.update({ id: id, fixed: { x: true, y: true } }); });
    });
  } else {
    network.on("click", function (p) { if (p.nodes && p.nodes.length === 1) expand(String(p.nodes[0])); });
  }

  function removeNode(id) {
    snapshot();
    edges.remove(edges.getIds({ filter: function (e) { return e.from === id || e.to === id; } }));
    nodes.remove(id);
    delete pinned[id];
    showSelected(null);
    applyVisibility();
  }
  function togglePin(id) {
    snapshot();
    pinned[id] = !pinned[id];
    nodes.update({ id: id, fixed: pinned[id] ? { x: true, y: true } : false, borderWidth: pinned[id] ? 3 : 1 });
    showSelected(id);
  }
  function hideNode(id) {
    snapshot();
    userHidden[id] = true;
    showSelected(null);
    applyVisibility();
  }
  window.netintel.pin = togglePin;
  window.netintel.hide = hideNode;
  window.netintel.remove = removeNode;
  window.netintel.undo = undo;
  window.netintel.pinned = function () { return Object.keys(pinned).filter(function (k) { return pinned[k]; }); };

  if (!W) { refreshLegend(); return; }

  /* ================= workspace only below ================= */
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  function api(method, url, body) {
    var h = { Accept: "application/json" };
    if (body !== undefined) h["Content-Type"] = "application/json";
    if (method !== "GET") h["X-CSRF-Token"] = csrf;
    return fetch(url, { method: method, credentials: "same-origin", headers: h,
                        body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) throw new Error((j && j.error && j.error.message) || ("HTTP " + r.status));
          return j;
        });
      });
  }

  $("ni-expand").addEventListener("click", function () { if (selected) expand(selected); });
  $("ni-expand-by").addEventListener("click", function () {
    var t = $("ni-expand-type").value;
    if (selected) expand(selected, { type: t || null });
  });
  $("ni-expand-hub").addEventListener("click", function () { if (selected) expand(selected, { hub: true }); });
  $("ni-pin").addEventListener("click", function () { if (selected) togglePin(selected); });
  $("ni-hide").addEventListener("click", function () { if (selected) hideNode(selected); });
  $("ni-remove").addEventListener("click", function () { if (selected) removeNode(selected); });
  $("ni-undo").addEventListener("click", undo);
  $("ni-unhide").addEventListener("click", function () { snapshot(); userHidden = {}; applyVisibility(); });
  $("ni-relayout").addEventListener("click", function () { relayout(null, function () { network.fit(); status(visibleCount()); }); });
  $("ni-fit").addEventListener("click", function () { network.fit(); });

  /* filter form */
  function checks(box, values, selectedVals, name) {
    values.forEach(function (v) {
      var lab = document.createElement("label");
      var cb = document.createElement("input"); cb.type = "checkbox"; cb.value = v; cb.name = name;
      cb.checked = !selectedVals || selectedVals.indexOf(v) >= 0;
      lab.appendChild(cb); lab.appendChild(el("span", v)); box.appendChild(lab);
    });
  }
  checks($("ni-f-labels"), W.labels, F.labels, "labels");
  checks($("ni-f-types"), W.types, F.types, "types");
  W.types.forEach(function (t) { var o = el("option", t); o.value = t; $("ni-expand-type").appendChild(o); });
  W.agencies.forEach(function (a) { var o = el("option", a[0] + " \u2014 " + a[1]); o.value = a[0]; $("ni-f-agency").appendChild(o); });
  function syncFilterForm() {
    Array.prototype.forEach.call(document.querySelectorAll("#ni-f-labels input"), function (cb) { cb.checked = !F.labels || F.labels.indexOf(cb.value) >= 0; });
    Array.prototype.forEach.call(document.querySelectorAll("#ni-f-types input"), function (cb) { cb.checked = !F.types || F.types.indexOf(cb.value) >= 0; });
    $("ni-f-agency").value = F.agency || ""; $("ni-f-since").value = F.since || ""; $("ni-f-until").value = F.until || "";
  }
  syncFilterForm();
  function picked(sel, all) {
    var v = Array.prototype.filter.call(document.querySelectorAll(sel), function (cb) { return cb.checked; }).map(function (cb) { return cb.value; });
    return v.length === all.length ? null : v;
  }
  function setFilters(next) {
    snapshot();
    F = next;
    var u = new URL(window.location.href);
    ["labels", "types", "agency", "since", "until"].forEach(function (k) {
      var v = F[k];
      if (v && (!Array.isArray(v) || v.length)) u.searchParams.set(k, Array.isArray(v) ? v.join(",") : v); else u.searchParams.delete(k);
    });
    history.replaceState(null, "", u.toString());
    applyVisibility();
    updateExportLinks();
  }
  $("ni-filter-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    setFilters({ labels: picked("#ni-f-labels input", W.labels), types: picked("#ni-f-types input", W.types),
                 agency: $("ni-f-agency").value || null, since: $("ni-f-since").value || null, until: $("ni-f-until").value || null });
  });
  window.netintel.setFilters = setFilters;

  /* exports: the server renders the view of this URL (filters included) in the chosen format */
  function updateExportLinks() {
    Array.prototype.forEach.call(document.querySelectorAll("a.ni-export"), function (a) {
      var u = new URL(W.exportUrl || window.location.href, window.location.href);
      if (!W.investigation) {
        ["labels", "types", "agency", "since", "until"].forEach(function (k) {
          var v = F[k];
          if (v && (!Array.isArray(v) || v.length)) u.searchParams.set(k, Array.isArray(v) ? v.join(",") : v); else u.searchParams.delete(k);
        });
      }
      u.searchParams.set("format", a.dataset.format);
      a.href = u.pathname + u.search;
    });
  }
  updateExportLinks();

  /* ---- paths between two entities picked by name ---- */
  var pick = { from: null, to: null };
  function autocomplete(input, list, which) {
    var timer = null, hits = {};
    input.addEventListener("input", function () {
      var v = input.value.trim();
      if (hits[v]) { pick[which] = hits[v]; return; }
      pick[which] = null;
      clearTimeout(timer);
      if (v.length < 2) return;
      timer = setTimeout(function () {
        api("GET", W.searchUrl + "?" + new URLSearchParams({ q: v, limit: "20" }).toString()).then(function (res) {
          list.textContent = "";
          hits = {};
          (res.data || []).forEach(function (h) {
            var text = String(h.name) + " \u00b7 " + h.label + " \u00b7 " + h.id;
            hits[text] = h.id;
            var o = document.createElement("option"); o.value = text; list.appendChild(o);
          });
          if (hits[input.value.trim()]) pick[which] = hits[input.value.trim()];
        }).catch(function (e) { status("search failed: " + e.message); });
      }, 200);
    });
  }
  autocomplete($("ni-path-from"), $("ni-path-from-list"), "from");
  autocomplete($("ni-path-to"), $("ni-path-to-list"), "to");
  function idOf(which, input) {
    if (pick[which]) return pick[which];
    var v = input.value.trim(), m = v.split(" \u00b7 ");
    return m.length >= 3 ? m[m.length - 1] : v;
  }
  var lastLonger = null;
  function findPaths(maxLen) {
    var a = idOf("from", $("ni-path-from")), b = idOf("to", $("ni-path-to"));
    if (!a || !b) { $("ni-path-result").textContent = "Pick both ends."; return; }
    var q = { from: a, to: b, k: $("ni-path-k").value, max_length: String(maxLen || $("ni-path-len").value),
              exclude_labels: $("ni-path-noloc").checked ? "Location" : "" };
    if (F.types) q.types = F.types.join(",");
    $("ni-path-result").textContent = "searching\u2026";
    api("GET", W.pathUrl + "?" + new URLSearchParams(q).toString()).then(function (res) {
      lastLonger = res.longer || null;
      $("ni-path-longer").hidden = !lastLonger;
      if (!res.paths || !res.paths.length) { $("ni-path-result").textContent = res.message || "No path found."; return; }
      snapshot();
      var center = { x: 0, y: 0 }, cnt = 0;
      nodes.forEach(function (n) { var p = network.getPositions([n.id])[n.id]; if (p) { center.x += p.x; center.y += p.y; cnt++; } });
      if (cnt) { center.x /= cnt; center.y /= cnt; }
      var recs = res.nodes.filter(function (r) { return !nodes.get(String(r.id)); });
      var spots = ring(center, recs.length);
      nodes.add(recs.map(function (r, i) { var n = nodeFromRecord(r); n.x = spots[i].x; n.y = spots[i].y; return n; }));
      addEdges(res.edges.map(edgeFromRecord));
      pathEnds = {}; pathEnds[String(a)] = true; pathEnds[String(b)] = true;
      var onPath = {};
      res.paths.forEach(function (p) { p.nodes.forEach(function (id) { onPath[id] = true; }); });
      nodes.update(Object.keys(onPath).map(function (id) { return { id: id, borderWidth: 4, color: Object.assign({}, (nodes.get(id) || {}).color || {}, {}) }; }));
      edges.update(res.paths.reduce(function (acc, p) { return acc.concat(p.edges); }, []).map(function (id) { return { id: id, width: 4 }; }));
      applyVisibility();
      var out = $("ni-path-result"); out.textContent = "";
      res.paths.forEach(function (p, i) {
        var names = p.nodes.map(function (id) { var n = nodes.get(id); return n ? (n._name || id) : id; });
        out.appendChild(el("div", (i + 1) + ". " + p.length + " steps: " + names.join(" \u2192 "), "ni-path"));
      });
      relayout(null, function () { network.fit({ nodes: Object.keys(onPath) }); });
      network.selectNodes(Object.keys(onPath));
    }).catch(function (e) { $("ni-path-result").textContent = "path search failed: " + e.message; });
  }
  $("ni-path-form").addEventListener("submit", function (ev) { ev.preventDefault(); findPaths(null); });
  $("ni-path-longer").addEventListener("click", function () {
    if (!lastLonger) return;
    var m = new URL(lastLonger, window.location.href).searchParams.get("max_length");
    $("ni-path-len").value = m;
    findPaths(m);
  });

  /* ---- saved investigations ---- */
  var inv = W.investigation || null;
  function invLabel() {
    $("ni-inv-current").textContent = inv ? "\u201c" + inv.name + "\u201d by " + inv.owner + " \u00b7 " + inv.id +
      (inv.shared_users.length || inv.shared_units.length ? " \u00b7 shared with " + inv.shared_users.concat(inv.shared_units).join(", ") : "")
      : "Not saved yet.";
  }
  if (inv) {
    $("ni-inv-name").value = inv.name; $("ni-inv-notes").value = inv.notes || "";
    $("ni-inv-users").value = (inv.shared_users || []).join(", "); $("ni-inv-units").value = (inv.shared_units || []).join(", ");
    (inv.pinned || []).forEach(function (id) { pinned[id] = true; nodes.update({ id: id, fixed: { x: true, y: true }, borderWidth: 3 }); });
    (inv.hidden || []).forEach(function (id) { userHidden[id] = true; });
    (inv.expanded || []).forEach(function (k) { expanded[k] = true; });
  }
  invLabel();
  function list(v) { return String(v || "").split(",").map(function (x) { return x.trim(); }).filter(Boolean); }
  function state() {
    var pos = network.getPositions();
    return {
      name: $("ni-inv-name").value.trim() || document.title.replace(/ \u00b7 netintel$/, ""),
      id: inv && inv.owner === W.user ? inv.id : null,
      start: W.start || null,
      nodes: nodes.get().map(function (n) { return { id: n.id, label: n._kind }; }),
      positions: Object.keys(pos).reduce(function (o, k) { o[k] = [Math.round(pos[k].x * 10) / 10, Math.round(pos[k].y * 10) / 10]; return o; }, {}),
      pinned: Object.keys(pinned).filter(function (k) { return pinned[k]; }),
      hidden: Object.keys(userHidden).filter(function (k) { return userHidden[k]; }),
      expanded: Object.keys(expanded).filter(function (k) { return expanded[k]; }),
      filters: F, notes: $("ni-inv-notes").value,
      share_users: list($("ni-inv-users").value), share_units: list($("ni-inv-units").value)
    };
  }
  function msg(t) { $("ni-inv-msg").textContent = t; }
  function refreshList() {
    return api("GET", W.investigationsUrl).then(function (rows) {
      var sel = $("ni-inv-list"); sel.textContent = "";
      sel.appendChild(el("option", "\u2014"));
      sel.firstChild.value = "";
      rows.forEach(function (r) {
        var o = el("option", r.name + " (" + r.owner + ", " + num(r.nodes) + " nodes)"); o.value = r.id; sel.appendChild(o);
      });
    }).catch(function (e) { msg("could not list investigations: " + e.message); });
  }
  $("ni-inv-save").addEventListener("click", function () {
    var body = state();
    api("POST", W.investigationsUrl, body).then(function (r) {
      inv = Object.assign({}, r, { notes: body.notes });
      W.exportUrl = r.url;
      updateExportLinks();
      invLabel(); msg("saved as " + r.id); refreshList();
    }).catch(function (e) { msg("save failed: " + e.message); });
  });
  $("ni-inv-share").addEventListener("click", function () {
    if (!inv) { msg("save it first"); return; }
    api("POST", W.investigationsUrl + "/" + encodeURIComponent(inv.id) + "/share",
        { users: list($("ni-inv-users").value), units: list($("ni-inv-units").value) })
      .then(function (r) { inv = Object.assign(inv, r); invLabel(); msg("shared"); })
      .catch(function (e) { msg("share failed: " + e.message); });
  });
  $("ni-inv-open").addEventListener("click", function () {
    var id = $("ni-inv-list").value;
    if (id) window.location.href = W.investigationsUrl + "/" + encodeURIComponent(id) + "?format=html";
  });
  window.netintel.state = state;
  window.netintel.refreshInvestigations = refreshList;
  refreshList();
  if (F.labels || F.types || F.agency || F.since || F.until || Object.keys(userHidden).length) applyVisibility();
})();
