
(function () {
  "use strict";
  // Every text that comes from the data reaches the DOM through textContent only.
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var SYMBOLS = {dot: "\u25CF", triangle: "\u25B2", triangleDown: "\u25BC", square: "\u25A0",
                 diamond: "\u25C6", star: "\u2605", hexagon: "\u2B22"};
  var styleOf = {};
  data.types.forEach(function (t) { styleOf[t.type] = t; });
  var isContextType = {};
  data.context_types.forEach(function (t) { isContextType[t] = true; });
  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

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
    evidenceBlock(box, n.evidence, n.evidence.length);
    box.appendChild(el("div", "tip-src", "点击查看全部事实 click for every fact"));
    return box;
  }
  function edgeTip(e) {
    var box = el("div", "tip");
    box.appendChild(el("div", "tip-head", byId[e.from].label + " \u2192 " +
      e.predicate + " \u2192 " + byId[e.to].label));
    box.appendChild(el("div", "tip-type", "关系 Predicate: " + e.predicate +
      " · 文章数 articles: " + e.weight +
      (e.years.length ? " · 年份 years: " + e.years.join(", ") : "")));
    evidenceBlock(box, e.evidence, e.evidence_count);
    return box;
  }

  // ------------------------------------------------------------------ state
  var typeOn = {}, predOn = {}, year = null, hideIsolated = true, colorBy = "community";
  var labelBy = data.measures.indexOf(data.size_by) >= 0 ? data.size_by : data.measures[0];
  var forced = {};           // nodes shown whatever the filters (expanded, on a path, found)
  data.types.forEach(function (t) {
    typeOn[t.type] = data.show_context || !isContextType[t.type];
  });
  data.predicates.forEach(function (p) { predOn[p] = true; });
  if (data.focus) { forced[data.focus] = true; }
  var firstYear = {}, edgeFirst = {}, adjacency = {};
  data.nodes.forEach(function (n) { adjacency[n.id] = []; });
  data.edges.forEach(function (e) {
    var y = e.years.length ? e.years[0] : null;
    edgeFirst[e.id] = y;
    [e.from, e.to].forEach(function (x) {
      if (y && (!firstYear[x] || y < firstYear[x])) { firstYear[x] = y; }
    });
    adjacency[e.from].push(e);
    if (e.to !== e.from) { adjacency[e.to].push(e); }
  });

  // ------------------------------------------------------------------ labels and colours
  var labelled = {};
  function rankLabels() {
    labelled = {};
    function top(list, key, count) {
      list.sort(function (a, b) {
        var va = key(a), vb = key(b);
        if (va === vb) { return a.label < b.label ? -1 : a.label > b.label ? 1 : 0; }
        return (vb === null ? -Infinity : vb) - (va === null ? -Infinity : va);
      });
      list.slice(0, count).forEach(function (n) { labelled[n.id] = true; });
    }
    top(data.nodes.filter(function (n) { return !n.context; }),
        function (n) { return n.m[labelBy] === undefined ? null : n.m[labelBy]; },
        data.top_labels);
    top(data.nodes.filter(function (n) { return n.context; }),
        function (n) { return n.measure; }, Math.round(data.top_labels / 2));
  }
  function colourOf(n) {
    var st = styleOf[n.type] || {color: "#aaaaaa"};
    if (colorBy === "type" || n.context) { return st.color; }
    if (n.community === null || n.community === undefined) { return "#d0d0d0"; }
    var pal = data.community_colours;
    return pal[Math.min(n.community, pal.length - 1)];
  }
  function visNode(n) {
    var st = styleOf[n.type] || {shape: "dot"};
    var c = colourOf(n);
    var v = {id: n.id, label: (labelled[n.id] || forced[n.id]) ? n.label : "",
             size: n.context ? Math.min(n.size, 14) : n.size, shape: st.shape,
             color: {background: c, border: n.context ? "#999999" : "#333333",
                     highlight: {background: c, border: "#d9480f"}},
             opacity: n.context ? 0.75 : 1};
    if (n.id === data.focus) {
      v.borderWidth = 4;
      v.color.border = "#d9480f";
      v.font = {size: 18, bold: true};
      v.label = n.label;
    } else {
      v.font = {size: labelSize(n)};
    }
    return v;
  }
  // Labels keep a readable size on screen whatever the zoom (top actors a bit larger).
  var zoom = 1;
  function labelSize(n) {
    var px = labelled[n.id] && !n.context ? 15 : 13;
    return Math.min(80, Math.max(px, Math.round(px / zoom)));
  }
  function rescaleLabels() {
    var s = network.getScale();
    if (!s || Math.abs(s - zoom) / zoom < 0.15) { return; }
    zoom = s;
    nodes.update(data.nodes.filter(function (n) {
      return (labelled[n.id] || forced[n.id]) && n.id !== data.focus;
    }).map(function (n) { return {id: n.id, font: {size: labelSize(n)}}; }));
  }
  rankLabels();
  var visNodes = data.nodes.map(function (n) {
    var v = visNode(n);
    v.title = nodeTip(n);
    if (n.x !== undefined) { v.x = n.x; v.y = n.y; }
    return v;
  });
  var visEdges = data.edges.map(function (e) {
    var v = {id: e.id, from: e.from, to: e.to, title: edgeTip(e),
            width: 1 + Math.log(Math.max(1, e.weight)) / Math.LN2};
    if (e.curve) { v.smooth = {enabled: true, type: "curvedCW", roundness: 0.2 * e.curve}; }
    return v;
  });
  var nodes = new vis.DataSet(visNodes);
  var edges = new vis.DataSet(visEdges);

  // ------------------------------------------------------------------ filters
  // A node passes when its type is on and it has a tie by the chosen year (or is forced); an
  // edge when its predicate is on, it was first reported by that year and both ends pass; with
  // "hide isolated", a node without a shown edge is hidden (and counted).
  var shownNode = {}, shownEdge = {}, isolatedHidden = 0;
  function passes(n) {
    if (forced[n.id]) { return true; }
    if (typeOn[n.type] === false) { return false; }
    return year === null || (firstYear[n.id] !== undefined && firstYear[n.id] <= year);
  }
  function computeShown() {
    var pass = {}, degree = {};
    data.nodes.forEach(function (n) { if (passes(n)) { pass[n.id] = true; } });
    shownEdge = {};
    data.edges.forEach(function (e) {
      if (predOn[e.predicate] === false) { return; }
      if (year !== null && !(edgeFirst[e.id] && edgeFirst[e.id] <= year)) { return; }
      if (!pass[e.from] || !pass[e.to]) { return; }
      shownEdge[e.id] = true;
      degree[e.from] = (degree[e.from] || 0) + 1;
      degree[e.to] = (degree[e.to] || 0) + 1;
    });
    shownNode = {};
    isolatedHidden = 0;
    Object.keys(pass).forEach(function (id) {
      if (!hideIsolated || degree[id] || forced[id]) { shownNode[id] = true; }
      else { isolatedHidden += 1; }
    });
  }
  computeShown();
  var nodeView = new vis.DataView(nodes, {filter: function (n) { return !!shownNode[n.id]; }});
  var edgeView = new vis.DataView(edges, {filter: function (e) { return !!shownEdge[e.id]; }});

  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodeView, edges: edgeView}, data.options);
  var stats = document.getElementById("stats");
  function updateStats() {
    var ctx = data.nodes.filter(function (n) { return n.context && !shownNode[n.id]; }).length;
    stats.textContent = "节点 nodes: " + nodeView.length + " / " + nodes.length +
      " · 边 edges: " + edgeView.length + " / " + edges.length +
      (hideIsolated ? " · 孤立隐藏 isolated hidden: " + isolatedHidden : "") +
      (ctx ? " · 背景隐藏 context hidden: " + ctx : "");
    container.setAttribute("data-visible-nodes", String(nodeView.length));
    container.setAttribute("data-visible-edges", String(edgeView.length));
    container.setAttribute("data-isolated-hidden", String(isolatedHidden));
  }
  function restyle() {
    rankLabels();
    nodes.update(data.nodes.map(visNode));
  }
  function refresh() {
    computeShown();
    nodeView.refresh(); edgeView.refresh(); updateStats();
  }
  network.on("zoom", rescaleLabels);
  network.on("animationFinished", rescaleLabels);
  function settled() {
    rescaleLabels();
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

  // ------------------------------------------------------------------ legend
  var legendList = document.querySelector("#legend ul");
  function communityLegend() {
    var members = [];
    data.nodes.forEach(function (n) {
      if (n.community === null || n.community === undefined || n.context) { return; }
      (members[n.community] = members[n.community] || []).push(n);
    });
    var pal = data.community_colours;
    members.slice(0, pal.length - 1).forEach(function (list, i) {
      list.sort(function (a, b) { return (b.m.weighted_degree || 0) - (a.m.weighted_degree || 0); });
      var li = el("li");
      li.setAttribute("data-community", String(i));
      var sym = el("span", "sym", SYMBOLS.dot);
      sym.style.color = pal[i];
      li.appendChild(sym);
      li.appendChild(document.createTextNode("社区 " + i + " (" + list.length + "): " +
        list.slice(0, 2).map(function (n) { return n.label; }).join("、")));
      legendList.appendChild(li);
    });
    if (members.length >= pal.length) {
      var more = el("li", null, "… " + (members.length - pal.length + 1) + " 更多 more");
      legendList.appendChild(more);
    }
  }
  function typeLegend() {
    data.types.forEach(function (t) {
      var li = el("li");
      li.setAttribute("data-type", t.type);
      var sym = el("span", "sym", SYMBOLS[t.shape] || "\u25CF");
      sym.style.color = t.color;
      li.appendChild(sym);
      li.appendChild(document.createTextNode(t.zh + " " + t.type + " (" + t.count + ")" +
        (isContextType[t.type] ? " · 背景 context" : "")));
      legendList.appendChild(li);
    });
  }
  function drawLegend() {
    while (legendList.firstChild) { legendList.removeChild(legendList.firstChild); }
    if (colorBy === "community" && data.communities) { communityLegend(); }
    else { typeLegend(); }
  }
  drawLegend();

  // ------------------------------------------------------------------ controls
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
      cb.type = "checkbox"; cb.checked = state[key] !== false; cb.value = key;
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
  function syncTypeBoxes() {
    typeBoxes.forEach(function (cb) { cb.checked = typeOn[cb.value] !== false; });
  }
  var contextBox = document.getElementById("show-context");
  contextBox.checked = !!data.show_context;
  contextBox.addEventListener("change", function () {
    data.context_types.forEach(function (t) { typeOn[t] = contextBox.checked; });
    syncTypeBoxes();
    refresh();
  });
  var isolatedBox = document.getElementById("filter-isolated");
  isolatedBox.addEventListener("change", function () {
    hideIsolated = isolatedBox.checked;
    refresh();
  });
  var colorSelect = document.getElementById("color-by");
  if (!data.communities) { colorBy = "type"; }
  colorSelect.value = colorBy;
  colorSelect.addEventListener("change", function () {
    colorBy = colorSelect.value;
    restyle();
    drawLegend();
  });
  var labelSelect = document.getElementById("label-by");
  data.measures.forEach(function (m) {
    var o = el("option", null, m);
    o.value = m;
    labelSelect.appendChild(o);
  });
  labelSelect.value = labelBy;
  labelSelect.addEventListener("change", function () { labelBy = labelSelect.value; restyle(); });
  var slider = document.getElementById("year-slider");
  var yearLabel = document.getElementById("year-label");
  slider.max = String(data.years.length);
  slider.value = String(data.years.length);
  function setYear(index) {
    index = Math.max(0, Math.min(data.years.length, index));
    slider.value = String(index);
    year = index >= data.years.length ? null : data.years[index];
    yearLabel.textContent = year === null ? "全部 all" : "≤ " + year;
    refresh();
  }
  slider.addEventListener("input", function () { setYear(parseInt(slider.value, 10)); });
  yearLabel.textContent = "全部 all";
  if (!data.years.length) { document.getElementById("year-box").hidden = true; }

  // ------------------------------------------------------------------ side panel
  var panel = document.getElementById("panel");
  var panelBody = document.getElementById("panel-body");
  var pathBox = document.getElementById("path");
  var pathStart = null;
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }
  function fmt(v) {
    if (v === null || v === undefined) { return "\u2013"; }
    return Math.round(v) === v ? String(v) : v.toFixed(4);
  }
  function nodeLink(id) {
    var a = el("a", "node-link", byId[id].label);
    a.href = "#";
    a.addEventListener("click", function (ev) { ev.preventDefault(); select(id); });
    return a;
  }
  function evidenceList(parent, items) {
    items.forEach(function (ev) {
      var p = el("div", "tip-ev");
      p.appendChild(el("div", "ev-sentence", ev.sentence));
      p.appendChild(el("div", "tip-src", "\u2014 " + [ev.title, ev.date].filter(
        function (s) { return s; }).join(" · ")));
      parent.appendChild(p);
    });
  }
  function showPanel(id) {
    var n = byId[id];
    var st = styleOf[n.type] || {};
    clear(panelBody);
    panel.hidden = false;
    panel.setAttribute("data-node", id);
    panelBody.appendChild(el("h2", "panel-title", n.label));
    panelBody.appendChild(el("div", "panel-type", (st.zh ? st.zh + " " : "") + n.type +
      (n.community !== null && n.community !== undefined ? " · 社区 community " + n.community : "")));
    if (n.aliases.length) {
      panelBody.appendChild(el("div", "panel-aliases", "别名 names: " + n.aliases.join("、")));
    }
    if (n.entity && /^(\/entity\/|https?:\/\/)/.test(n.entity)) {
      var a = el("a", "entity-link", "实体页 entity page");
      a.href = n.entity;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      panelBody.appendChild(a);
    }
    var table = el("table", "panel-measures");
    data.measures.forEach(function (m) {
      if (n.m[m] === undefined) { return; }
      var tr = el("tr");
      tr.appendChild(el("th", null, m));
      tr.appendChild(el("td", null, fmt(n.m[m])));
      table.appendChild(tr);
    });
    if (table.firstChild) { panelBody.appendChild(table); }
    var actions = el("div", "panel-actions");
    var expandBtn = el("button", "expand", "展开邻居 expand");
    expandBtn.type = "button";
    expandBtn.addEventListener("click", function () { expand(id); });
    var pathBtn = el("button", "path-start", "路径起点 path from here");
    pathBtn.type = "button";
    pathBtn.addEventListener("click", function () {
      pathStart = id;
      clear(pathBox);
      pathBox.appendChild(el("p", "path-hint", "起点 from " + n.label +
        ": 点击另一个节点 click another node"));
    });
    actions.appendChild(expandBtn); actions.appendChild(pathBtn);
    panelBody.appendChild(actions);
    if (n.figures.length) {
      var f = el("ul", "panel-figures");
      n.figures.forEach(function (x) { f.appendChild(el("li", null, x)); });
      panelBody.appendChild(el("h3", null, "关键数据 Key figures"));
      panelBody.appendChild(f);
    }
    var facts = adjacency[id].slice().sort(function (x, y) {
      return y.weight - x.weight || (x.id < y.id ? -1 : 1);
    });
    panelBody.appendChild(el("h3", null, "事实 Facts (" + facts.length + ")"));
    var list = el("ol", "facts");
    facts.forEach(function (e) {
      var li = el("li", "fact");
      var head = el("div", "fact-head");
      head.appendChild(e.from === id ? el("span", null, n.label) : nodeLink(e.from));
      head.appendChild(el("span", "pred", " \u2192 " + e.predicate + " \u2192 "));
      head.appendChild(e.to === id ? el("span", null, n.label) : nodeLink(e.to));
      head.appendChild(el("span", "fact-meta", " [" + e.weight + " 篇 articles" +
        (e.years.length ? " · " + e.years.join(", ") : "") + "]"));
      li.appendChild(head);
      evidenceList(li, e.evidence);
      list.appendChild(li);
    });
    panelBody.appendChild(list);
  }
  document.getElementById("panel-close").addEventListener("click", function () {
    panel.hidden = true;
    panel.removeAttribute("data-node");
    clear(pathBox);
    pathStart = null;
  });
  function select(id) {
    if (!shownNode[id]) { forced[id] = true; nodes.update([visNode(byId[id])]); refresh(); }
    network.selectNodes([id]);
    showPanel(id);
  }
  function expand(id) {
    forced[id] = true;
    var changed = [byId[id]];
    adjacency[id].forEach(function (e) {
      [e.from, e.to].forEach(function (x) {
        if (!forced[x]) { forced[x] = true; changed.push(byId[x]); }
      });
    });
    nodes.update(changed.map(visNode));
    refresh();
    return changed.length - 1;
  }

  // Shortest chains between two nodes (up to three), over the actors unless context is shown.
  function shortestPaths(a, b, limit) {
    limit = limit || 3;
    function usable(id) { return id === a || id === b || !byId[id].context || typeOn[byId[id].type]; }
    var dist = {}, preds = {}, queue = [a], head = 0;
    dist[a] = 0; preds[a] = [];
    while (head < queue.length) {
      var u = queue[head++];
      if (u === b) { break; }
      adjacency[u].forEach(function (e) {
        var v = e.from === u ? e.to : e.from;
        if (!usable(v)) { return; }
        if (dist[v] === undefined) { dist[v] = dist[u] + 1; preds[v] = [u]; queue.push(v); }
        else if (dist[v] === dist[u] + 1 && preds[v].indexOf(u) < 0) { preds[v].push(u); }
      });
    }
    if (dist[b] === undefined) { return []; }
    var out = [];
    (function walk(v, tail) {
      if (out.length >= limit) { return; }
      if (v === a) { out.push([a].concat(tail)); return; }
      preds[v].slice().sort().forEach(function (p) { walk(p, [v].concat(tail)); });
    })(b, []);
    return out.map(function (p) {
      return p.map(function (x, i) {
        if (!i) { return {node: x, edges: []}; }
        var prev = p[i - 1];
        return {node: x, edges: adjacency[x].filter(function (e) {
          return (e.from === prev && e.to === x) || (e.to === prev && e.from === x);
        })};
      });
    });
  }
  function showPaths(a, b) {
    var chains = shortestPaths(a, b, 3);
    clear(pathBox);
    pathBox.setAttribute("data-from", a);
    pathBox.setAttribute("data-to", b);
    pathBox.appendChild(el("h3", null, "路径 Chains: " + byId[a].label + " \u2192 " +
      byId[b].label));
    if (!chains.length) {
      pathBox.appendChild(el("p", "no-path", "无路径 no chain"));
      return [];
    }
    var ids = {}, edgeIds = [];
    chains.forEach(function (chain, k) {
      var box = el("div", "chain");
      box.appendChild(el("div", "chain-head", (k + 1) + ". " + chain.map(function (s) {
        return byId[s.node].label; }).join(" \u2014 ") + " (" + (chain.length - 1) + " 跳 hops)"));
      chain.forEach(function (step) {
        ids[step.node] = true;
        step.edges.forEach(function (e) {
          edgeIds.push(e.id);
          var hop = el("div", "hop");
          hop.appendChild(el("div", "hop-head", byId[e.from].label + " \u2192 " + e.predicate +
            " \u2192 " + byId[e.to].label));
          evidenceList(hop, e.evidence.slice(0, 1));
          box.appendChild(hop);
        });
      });
      pathBox.appendChild(box);
    });
    var list = Object.keys(ids);
    list.forEach(function (x) { forced[x] = true; });
    nodes.update(list.map(function (x) { return visNode(byId[x]); }));
    refresh();
    network.setSelection({nodes: list, edges: edgeIds});
    return chains.map(function (c) { return c.map(function (s) { return s.node; }); });
  }

  network.on("click", function (params) {
    if (!params.nodes.length) { return; }
    var id = params.nodes[0];
    if (pathStart && pathStart !== id) {
      var from = pathStart;
      pathStart = null;
      showPanel(id);
      showPaths(from, id);
      return;
    }
    showPanel(id);
  });
  network.on("doubleClick", function (params) {
    if (params.nodes.length) { expand(params.nodes[0]); }
  });

  // ------------------------------------------------------------------ search
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
    select(n.id);
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
               network: network, search: search, refresh: refresh, select: select,
               expand: expand, paths: showPaths, setYear: setYear,
               labelled: function () {
                 return Object.keys(labelled).filter(function (id) { return shownNode[id]; });
               },
               // Nodes actually drawn on the canvas (after filters).
               drawnNodeCount: function () { return network.body.nodeIndices.length; },
               drawnEdgeCount: function () { return network.body.edgeIndices.length; },
               drawnNodeIds: function () { return network.body.nodeIndices.slice(); },
               // Page (DOM) coordinates of a node's centre, e.g. to hover or click it.
               domPosition: function (id) {
                 var pos = network.getPositions([id])[id];
                 if (!pos) { return null; }
                 var p = network.canvasToDOM(pos), r = container.getBoundingClientRect();
                 return {x: r.left + p.x, y: r.top + p.y};
               }};
})();
