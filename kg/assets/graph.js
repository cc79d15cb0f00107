
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var SYMBOLS = {dot: "\u25CF", triangle: "\u25B2", triangleDown: "\u25BC", square: "\u25A0",
                 diamond: "\u25C6", star: "\u2605", hexagon: "\u2B22"};
  var styleOf = {};
  data.types.forEach(function (t) { styleOf[t.type] = t; });

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function evidenceBlock(parent, items, total) {
    if (!items || !items.length) { return; }
    var sec = el("div", "tip-sec");
    sec.appendChild(el("div", null, "证据 Evidence" + (total > items.length ?
      " (" + items.length + "/" + total + ")" : "") + ":"));
    items.forEach(function (ev) {
      var p = el("div", "tip-ev");
      p.appendChild(el("div", null, ev.sentence));
      var src = [ev.title, ev.date, ev.ref].filter(function (s) { return s; }).join(" · ");
      if (src) { p.appendChild(el("div", "tip-src", "\u2014 " + src)); }
      sec.appendChild(p);
    });
    parent.appendChild(sec);
  }
  function nodeTip(n) {
    var st = styleOf[n.type] || {};
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-head", n.label));
    box.appendChild(el("div", "tip-type",
      "类型 Type: " + n.type + (st.zh ? " (" + st.zh + ")" : "")));
    if (n.aliases.length) {
      box.appendChild(el("div", "tip-sec", "别名 Aliases: " + n.aliases.join("、")));
    }
    if (n.figures.length) {
      var f = el("div", "tip-sec", "关键数据 Key figures" + (n.figure_count > n.figures.length ?
        " (" + n.figures.length + "/" + n.figure_count + ")" : "") + ":");
      var ul = el("ul");
      n.figures.forEach(function (x) { ul.appendChild(el("li", null, x)); });
      f.appendChild(ul);
      box.appendChild(f);
    }
    if (n.measure !== null && n.measure !== undefined) {
      box.appendChild(el("div", "tip-sec", data.size_by + ": " + n.measure));
    }
    evidenceBlock(box, n.evidence, n.evidence.length);
    return box;
  }
  function edgeTip(e, labels) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-head", (labels[e.from] || e.from) + " \u2192 " +
      e.predicate + " \u2192 " + (labels[e.to] || e.to)));
    box.appendChild(el("div", "tip-type", "关系 Predicate: " + e.predicate +
      " · 文章数 articles: " + e.weight +
      (e.years.length ? " · 年份 years: " + e.years.join(", ") : "")));
    evidenceBlock(box, e.evidence, e.evidence_count);
    return box;
  }

  var labels = {};
  var visNodes = data.nodes.map(function (n) {
    labels[n.id] = n.label;
    var st = styleOf[n.type] || {color: "#aaaaaa", shape: "dot"};
    var v = {id: n.id, label: n.label, title: nodeTip(n), size: n.size, shape: st.shape,
             color: {background: st.color, border: "#333333",
                     highlight: {background: st.color, border: "#d9480f"}},
             kgType: n.type};
    if (n.x !== undefined) { v.x = n.x; v.y = n.y; }
    if (n.id === data.focus) {
      v.borderWidth = 4;
      v.color.border = "#d9480f";
      v.font = {size: 18, bold: true};
    }
    return v;
  });
  var visEdges = data.edges.map(function (e) {
    var v = {id: e.id, from: e.from, to: e.to, label: e.predicate, title: edgeTip(e, labels),
            width: 1 + Math.log(Math.max(1, e.weight)) / Math.LN2,
            kgPredicate: e.predicate, kgYears: e.years};
    if (e.curve) { v.smooth = {enabled: true, type: "curvedCW", roundness: 0.2 * e.curve}; }
    return v;
  });

  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);
  var typeOn = {}, predOn = {}, year = "", hideIsolated = false;
  data.types.forEach(function (t) { typeOn[t.type] = true; });
  data.predicates.forEach(function (p) { predOn[p] = true; });
  var nodeType = {}, nodeYears = {}, visibleDegree = {};
  data.nodes.forEach(function (n) { nodeType[n.id] = n.type; nodeYears[n.id] = {}; });
  data.edges.forEach(function (e) {
    e.years.forEach(function (y) { nodeYears[e.from][y] = true; nodeYears[e.to][y] = true; });
  });

  // An edge is shown when its predicate and year pass and both ends' types are shown; a node
  // when its type is shown, it has an edge in the chosen year, and (optionally) a shown edge.
  function edgeShown(e) {
    if (predOn[e.kgPredicate] === false) { return false; }
    if (year && e.kgYears.indexOf(year) < 0) { return false; }
    return typeOn[nodeType[e.from]] !== false && typeOn[nodeType[e.to]] !== false;
  }
  function nodeShown(n) {
    if (typeOn[n.kgType] === false) { return false; }
    if (year && !nodeYears[n.id][year]) { return false; }
    return !hideIsolated || visibleDegree[n.id] > 0;
  }
  function countVisibleDegree() {
    visibleDegree = {};
    edges.forEach(function (e) {
      if (edgeShown(e)) {
        visibleDegree[e.from] = (visibleDegree[e.from] || 0) + 1;
        visibleDegree[e.to] = (visibleDegree[e.to] || 0) + 1;
      }
    });
  }
  var nodeView = new vis.DataView(nodes, {filter: nodeShown});
  var edgeView = new vis.DataView(edges, {filter: edgeShown});

  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, data.options);
  var stats = document.getElementById("stats");
  function updateStats() {
    stats.textContent = "节点 nodes: " + nodeView.length + " / " + nodes.length +
      " · 边 edges: " + edgeView.length + " / " + edges.length;
    container.setAttribute("data-visible-nodes", String(nodeView.length));
    container.setAttribute("data-visible-edges", String(edgeView.length));
  }
  function refresh() {
    if (hideIsolated) { countVisibleDegree(); }
    nodeView.refresh(); edgeView.refresh(); updateStats();
  }
  function settled() {
    if (data.focus && nodes.get(data.focus)) {
      network.selectNodes([data.focus]);
      container.setAttribute("data-focus", data.focus);
    }
    container.setAttribute("data-stabilized", "true");
  }
  if (data.layout === "physics") {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: false});
      settled();
    });
  } else {
    settled();
  }

  // Legend.
  var legendList = document.querySelector("#legend ul");
  data.types.forEach(function (t) {
    var li = el("li");
    var sym = el("span", "sym", SYMBOLS[t.shape] || "\u25CF");
    sym.style.color = t.color;
    li.appendChild(sym);
    li.appendChild(document.createTextNode(t.zh + " " + t.type + " (" + t.count + ")"));
    legendList.appendChild(li);
  });

  // Filters.
  function checkboxes(fieldsetId, items, state, text) {
    var fs = document.getElementById(fieldsetId);
    var boxes = [];
    var actions = el("div", "filter-actions");
    var all = el("button", null, "全选 all"), none = el("button", null, "全不选 none");
    all.type = none.type = "button";
    actions.appendChild(all); actions.appendChild(none);
    fs.appendChild(actions);
    items.forEach(function (item) {
      var key = typeof item === "string" ? item : item.type;
      var label = el("label");
      var cb = el("input");
      cb.type = "checkbox"; cb.checked = true; cb.value = key;
      cb.addEventListener("change", function () { state[key] = cb.checked; refresh(); });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(" " + text(item)));
      label.title = text(item);
      fs.appendChild(label);
      boxes.push(cb);
    });
    function setAll(on) {
      boxes.forEach(function (cb) { cb.checked = on; state[cb.value] = on; });
      refresh();
    }
    all.addEventListener("click", function () { setAll(true); });
    none.addEventListener("click", function () { setAll(false); });
    return boxes;
  }
  var typeBoxes = checkboxes("filter-types", data.types, typeOn,
    function (t) { return t.zh + " " + t.type; });
  checkboxes("filter-predicates", data.predicates, predOn, function (p) { return p; });
  var yearSelect = document.getElementById("filter-year");
  data.years.forEach(function (y) {
    var o = el("option", null, y);
    o.value = y;
    yearSelect.appendChild(o);
  });
  yearSelect.addEventListener("change", function () { year = yearSelect.value; refresh(); });
  var isolatedBox = document.getElementById("filter-isolated");
  isolatedBox.addEventListener("change", function () {
    hideIsolated = isolatedBox.checked;
    refresh();
  });

  // Search by label or alias: exact match first, then substring.
  var searchBox = document.getElementById("search");
  var result = document.getElementById("search-result");
  function norm(s) { return String(s).trim().toLowerCase(); }
  function find(q) {
    q = norm(q);
    if (!q) { return null; }
    var i, n, sub = null;
    for (i = 0; i < data.nodes.length; i++) {
      n = data.nodes[i];
      var names = [n.label].concat(n.aliases).map(norm);
      if (names.indexOf(q) >= 0) { return n; }
      if (sub === null && names.some(function (s) { return s.indexOf(q) >= 0; })) { sub = n; }
    }
    return sub;
  }
  function search(q) {
    var n = find(q === undefined ? searchBox.value : q);
    if (!n) {
      result.textContent = "未找到 not found";
      result.className = "not-found";
      network.unselectAll();
      return null;
    }
    if (typeOn[n.type] === false) {
      typeOn[n.type] = true;
      typeBoxes.forEach(function (cb) { if (cb.value === n.type) { cb.checked = true; } });
      refresh();
    }
    network.selectNodes([n.id]);
    network.focus(n.id, {scale: 1.3, animation: {duration: 400, easingFunction: "easeInOutQuad"}});
    result.textContent = n.label + " (" + n.type + ")";
    result.className = "found";
    return n.id;
  }
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); search(); }
  });
  document.getElementById("search-btn").addEventListener("click", function () { search(); });

  updateStats();
  window.KG = {data: data, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
               network: network, search: search, refresh: refresh,
               // Nodes actually drawn on the canvas (after filters).
               drawnNodeCount: function () { return network.body.nodeIndices.length; },
               drawnEdgeCount: function () { return network.body.edgeIndices.length; },
               // Page (DOM) coordinates of a node's centre, e.g. to hover it.
               domPosition: function (id) {
                 var pos = network.getPositions([id])[id];
                 if (!pos) { return null; }
                 var p = network.canvasToDOM(pos), r = container.getBoundingClientRect();
                 return {x: r.left + p.x, y: r.top + p.y};
               }};
})();
