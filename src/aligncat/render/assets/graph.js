/* aligncat graph page: the citation graph drawn with cytoscape (copied from npm into the site, loaded only on the
   page that has #ac-graph), filters by relation type, kind and goal level, click a record to open its page. */
(function () {
  "use strict";

  var LARGE_GRAPH = 1000;

  function loadScript(src, done) {
    if (window.cytoscape) return done();
    var s = document.createElement("script");
    s.src = src;
    s.onload = done;
    s.onerror = function () { fail("could not load " + src); };
    document.head.appendChild(s);
  }

  function fail(message) {
    var box = document.getElementById("ac-graph");
    if (box) box.innerHTML = '<p class="ac-graph-loading"></p>', box.firstChild.textContent = "The graph could not be shown: " + message;
  }

  function colourOf(node, config) {
    var levels = node.goal_levels || [];
    return levels.length ? config.levelColours[levels[levels.length - 1]] || config.noLevelColour : config.noLevelColour;
  }

  function checked(form, name) {
    var out = {};
    form.querySelectorAll('input[name="' + name + '"]').forEach(function (el) { out[el.value] = el.checked; });
    return out;
  }

  function draw(box, data, config) {
    var fg = getComputedStyle(box).color || "#333";
    var ordered = {};
    config.ordered.forEach(function (t) { ordered[t] = true; });
    var elements = [];
    data.nodes.forEach(function (n) {
      elements.push({ group: "nodes", data: {
        id: n.id, label: n.label.length > 28 ? n.label.slice(0, 27) + "…" : n.label, title: n.title, url: n.url,
        kind: n.kind, year: n.year, levels: n.goal_levels, colour: colourOf(n, config),
        shape: config.shapes[n.kind] || "ellipse", size: 14 + 4 * Math.sqrt(n.in_degree) } });
    });
    data.edges.forEach(function (e, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, type: e.type,
        line: ordered[e.type] ? "solid" : "dashed" } });
    });
    box.innerHTML = "";
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      wheelSensitivity: 0.3,
      minZoom: 0.1,
      maxZoom: 4,
      style: [
        { selector: "node", style: { "background-color": "data(colour)", "shape": "data(shape)",
          "width": "data(size)", "height": "data(size)", "label": "data(label)", "font-size": 9, "color": fg,
          "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "ellipsis", "text-max-width": 140 } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": fg } },
        { selector: "edge", style: { "width": 1, "line-color": "#999", "target-arrow-color": "#999",
          "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier", "line-style": "data(line)",
          "opacity": 0.7 } },
        { selector: ".ac-hidden", style: { "display": "none" } },
        { selector: ".ac-faded", style: { "opacity": 0.15 } }
      ],
      // cose (force-directed) is quadratic per step: beyond a thousand records a concentric layout by citation
      // count keeps the page responsive.
      layout: data.nodes.length > LARGE_GRAPH
        ? { name: "concentric", animate: false, concentric: function (n) { return n.indegree(); }, levelWidth: function () { return 2; } }
        : { name: "cose", animate: false, randomize: false, nodeRepulsion: function () { return 9000; },
            idealEdgeLength: function () { return 60; }, numIter: 1500 }
    });
    cy.on("tap", "node", function (evt) {
      var url = evt.target.data("url");
      if (url) window.location.href = url;
    });
    cy.on("mouseover", "node", function (evt) {
      box.title = evt.target.data("title") + " (" + evt.target.data("year") + ")";
      var hood = evt.target.closedNeighborhood();
      cy.elements().not(hood).addClass("ac-faded");
    });
    cy.on("mouseout", "node", function () { box.title = ""; cy.elements().removeClass("ac-faded"); });
    window.acGraph = cy;  // for people exploring in the console, and for the browser tests
    return cy;
  }

  function applyFilters(cy, form, total) {
    var types = checked(form, "type"), kinds = checked(form, "kind"), levels = checked(form, "level");
    var shown = 0;
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var ls = n.data("levels");
        var levelOk = ls.length ? ls.some(function (l) { return levels[l] !== false; }) : levels[""] !== false;
        var ok = kinds[n.data("kind")] !== false && levelOk;
        n.toggleClass("ac-hidden", !ok);
        if (ok) shown++;
      });
      cy.edges().forEach(function (e) {
        var ok = types[e.data("type")] !== false && !e.source().hasClass("ac-hidden") && !e.target().hasClass("ac-hidden");
        e.toggleClass("ac-hidden", !ok);
      });
    });
    var count = form.querySelector(".ac-graph-count");
    if (count) count.textContent = shown + " of " + total + " records shown";
    form.dataset.shown = String(shown);
  }

  function init() {
    var box = document.getElementById("ac-graph");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var config = JSON.parse(document.getElementById("ac-graph-config").textContent);
    var form = document.querySelector(".ac-graph-filters");
    fetch(box.dataset.src).then(function (r) {
      if (!r.ok) throw new Error(box.dataset.src + ": HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      loadScript(box.dataset.cytoscape, function () {
        var cy = draw(box, data, config);
        if (form) {
          form.addEventListener("change", function () { applyFilters(cy, form, data.nodes.length); });
          applyFilters(cy, form, data.nodes.length);
        }
        var wanted = decodeURIComponent(location.hash.slice(1));
        var focus = wanted && cy.getElementById(wanted);
        if (focus && focus.length) {
          focus.select();
          cy.animate({ center: { eles: focus }, zoom: 1.5 }, { duration: 0 });
        }
        box.dataset.rendered = "1";
      });
    }).catch(function (err) { fail(err.message); });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);  // Material instant nav
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
