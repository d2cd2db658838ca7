/* netintel network page: data from #netintel-data (JSON, never executed as HTML).
   Every label/tooltip is created with textContent or drawn on canvas by vis-network. */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("netintel-data").textContent);
  var statusEl = document.getElementById("ni-status");
  function status(t) { statusEl.textContent = t; }

  function tip(kind, pairs) {
    var d = document.createElement("div");
    d.className = "ni-tip";
    if (kind) { var h = document.createElement("b"); h.textContent = String(kind); d.appendChild(h); }
    var t = document.createElement("table");
    (pairs || []).forEach(function (p) {
      var tr = document.createElement("tr");
      var a = document.createElement("th"); a.textContent = String(p[0]);
      var b = document.createElement("td"); b.textContent = String(p[1]);
      tr.appendChild(a); tr.appendChild(b); t.appendChild(tr);
    });
    d.appendChild(t);
    return d;
  }
  function prep(item, kind) {
    var o = Object.assign({}, item);
    o.title = tip(kind, o._info);
    return o;
  }
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(fmt).join(", ");
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }
  function truncate(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + "\u2026" : s; }

  var nodes = new vis.DataSet(D.nodes.map(function (n) { return prep(n, n._kind); }));
  var edges = new vis.DataSet(D.edges.map(function (e) { return prep(e, e._type); }));
  var container = document.getElementById("ni-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, D.options);
  window.netintel = { network: network, nodes: nodes, edges: edges, data: D };

  if (!D.fixed) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: { enabled: false } });
      status(nodes.length + " nodes, " + edges.length + " edges");
    });
  } else {
    status(nodes.length + " nodes, " + edges.length + " edges (fixed layout)");
  }

  /* ---- legend (DOM, text only) ---- */
  var legend = document.getElementById("ni-legend");
  function heading(t) { var h = document.createElement("h2"); h.textContent = t; legend.appendChild(h); }
  heading("Entities");
  D.legend.nodes.forEach(function (row) {
    var lab = document.createElement("label");
    var cb = document.createElement("input"); cb.type = "checkbox"; cb.checked = true; cb.dataset.kind = row[0];
    cb.addEventListener("change", function () {
      var upd = nodes.get({ filter: function (n) { return n._kind === row[0]; } })
        .map(function (n) { return { id: n.id, hidden: !cb.checked }; });
      nodes.update(upd);
    });
    var sw = document.createElement("span"); sw.className = "ni-sw"; sw.style.background = row[1];
    if (row[2] === "dot") sw.style.borderRadius = "50%";
    var tx = document.createElement("span"); tx.textContent = row[0] + " (" + row[2] + ")";
    lab.appendChild(cb); lab.appendChild(sw); lab.appendChild(tx); legend.appendChild(lab);
  });
  if (D.legend.highlight.length) {
    heading(D.legend.highlight_title || "Highlighted");
    D.legend.highlight.forEach(function (row) {
      var r = document.createElement("div"); r.className = "ni-row";
      var sw = document.createElement("span"); sw.className = "ni-sw";
      sw.style.border = "3px solid " + row[1]; sw.style.background = "#fff";
      var tx = document.createElement("span"); tx.textContent = row[0];
      r.appendChild(sw); r.appendChild(tx); legend.appendChild(r);
    });
  }
  if (D.legend.edges.length) {
    heading("Relationships / roles");
    D.legend.edges.forEach(function (row) {
      var r = document.createElement("div"); r.className = "ni-row";
      var sw = document.createElement("span"); sw.className = "ni-line"; sw.style.background = row[1];
      var tx = document.createElement("span"); tx.textContent = row[0];
      r.appendChild(sw); r.appendChild(tx); legend.appendChild(r);
    });
  }
  if (D.expandUrl) {
    var p = document.createElement("p"); p.textContent = "Click a node to load its neighbours."; legend.appendChild(p);
  }

  /* ---- search / filter box ---- */
  var search = document.getElementById("ni-search");
  search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); status(nodes.length + " nodes"); return; }
    var ids = nodes.getIds({ filter: function (n) { return !n.hidden && (n._search || "").indexOf(q) >= 0; } });
    network.selectNodes(ids);
    if (ids.length === 1) network.focus(ids[0], { scale: 1.2, animation: false });
    status(ids.length + " match" + (ids.length === 1 ? "" : "es"));
  });

  /* ---- expand on click ---- */
  function nodeFromRecord(r, near) {
    var kind = r.label;
    var st = D.styles[kind] || D.styles._default;
    var name = r.name !== undefined && r.name !== null ? r.name : r.id;
    var info = [["id", r.id], ["name", name]];
    Object.keys(r).sort().forEach(function (k) {
      if (k !== "id" && k !== "name" && k !== "label") info.push([k, fmt(r[k])]);
    });
    var n = { id: String(r.id), label: truncate(name, D.maxLabel), shape: st.shape, color: st.color,
              size: D.baseSize, _kind: kind, _info: info, _search: (String(name) + " " + String(r.id)).toLowerCase() };
    if (typeof r.score === "number" && isFinite(r.score)) n.size = D.baseSize + D.sizeRange * Math.max(0, Math.min(1, r.score));
    if (near) {
      var a = Math.random() * 2 * Math.PI;
      n.x = near.x + 120 * Math.cos(a); n.y = near.y + 120 * Math.sin(a);
    }
    return n;
  }
  function edgeFromRecord(r) {
    var key = String(r.from) + "|" + String(r.to) + "|" + String(r.type || "");
    var info = [];
    Object.keys(r).sort().forEach(function (k) { if (k !== "from" && k !== "to") info.push([k, fmt(r[k])]); });
    var e = { id: "x:" + key, from: String(r.from), to: String(r.to), _type: r.type, _info: info,
              color: { color: (r.role && D.roleColors[r.role]) || D.typeColor } };
    if (D.directed) e.arrows = "to";
    return e;
  }
  var expanded = {};
  function expand(id) {
    if (!D.expandUrl || expanded[id]) return;
    var url = new URL(D.expandUrl.split("{id}").join(encodeURIComponent(id)), window.location.href);
    if (url.origin !== window.location.origin) { status("expand refused: not same origin"); return; }
    expanded[id] = true;
    status("loading neighbours of " + id + "\u2026");
    fetch(url.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
      .then(function (data) {
        var pos = network.getPositions([id])[id];
        var newNodes = (data.nodes || []).filter(function (r) { return !nodes.get(String(r.id)); })
          .map(function (r) { return prep(nodeFromRecord(r, pos), r.label); });
        nodes.add(newNodes);
        var newEdges = (data.edges || []).map(edgeFromRecord)
          .filter(function (e) { return nodes.get(e.from) && nodes.get(e.to) && !edges.get(e.id); })
          .filter(function (e) {
            return edges.get({ filter: function (x) { return x.from === e.from && x.to === e.to && x._type === e._type; } }).length === 0;
          })
          .map(function (e) { return prep(e, e._type); });
        edges.add(newEdges);
        status("+" + newNodes.length + " nodes, +" + newEdges.length + " edges");
      })
      .catch(function (err) { expanded[id] = false; status("expand failed: " + err.message); });
  }
  network.on("click", function (p) { if (p.nodes && p.nodes.length === 1) expand(String(p.nodes[0])); });
  window.netintel.expand = expand;
})();
