/* aligncat graph page: the citation graph drawn with cytoscape (copied from npm into the site, loaded only on the
   page that has #ac-graph) at the positions computed when the site was built (aligncat.layout), so every load
   shows the same picture. Labels keep one size on screen (LABEL_PX) whatever the zoom; only those that fit
   without overlapping are shown, the focused record and the most connected first, the rest on hover. Records
   with no relation are listed beside the drawing. The filters and the focused record live in the URL
   (?hide-kind=benchmark&hide-type=uses&hide-level=none&focus=<id>; #<id> is read too), so a view can be shared. */
(function () {
  "use strict";

  var LABEL_PX = 12;        // a label's height on screen, at any zoom
  var MIN_NODE_PX = 7;      // the smallest a node is drawn on screen
  var MAX_LABELS = 60;
  var LABEL_CHARS = 26;
  var NO_LEVEL = "none";    // the "no goal level" checkbox (value "") in the URL
  var FILTERS = ["type", "kind", "level"];

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
    if (!box) return;
    var p = document.createElement("p");
    p.className = "ac-graph-loading";
    p.textContent = "The graph could not be shown: " + message;
    box.replaceChildren(p);
  }

  function colourOf(node, config) {
    var levels = node.goal_levels || [];
    return levels.length ? config.levelColours[levels[levels.length - 1]] || config.noLevelColour : config.noLevelColour;
  }

  /* A label cut at a word boundary, never inside a word. */
  function shortLabel(text) {
    if (text.length <= LABEL_CHARS) return text;
    var cut = text.slice(0, LABEL_CHARS - 1);
    var space = cut.lastIndexOf(" ");
    return (space > 8 ? cut.slice(0, space) : cut).replace(/[\s,:;\-–]+$/, "") + "…";
  }

  // --- the URL: which filter values are hidden, which record is focused ---------------------------------------

  function urlValue(name, value) { return name === "level" && value === "" ? NO_LEVEL : value; }

  function readUrl() {
    var params = new URLSearchParams(location.search);
    var hidden = {};
    FILTERS.forEach(function (name) {
      hidden[name] = {};
      (params.get("hide-" + name) || "").split(",").forEach(function (v) { if (v) hidden[name][v] = true; });
    });
    var focus = params.get("focus") || "";
    if (!focus && location.hash.length > 1) {
      try { focus = decodeURIComponent(location.hash.slice(1)); } catch (e) { focus = ""; }
    }
    return { hidden: hidden, focus: focus };
  }

  function writeUrl(form, focus) {
    var params = new URLSearchParams(location.search);
    FILTERS.forEach(function (name) {
      var off = [];
      if (form) form.querySelectorAll('input[name="' + name + '"]').forEach(function (el) {
        if (!el.checked) off.push(urlValue(name, el.value));
      });
      if (off.length) params.set("hide-" + name, off.join(","));
      else params.delete("hide-" + name);
    });
    if (focus) params.set("focus", focus);
    else params.delete("focus");
    var query = params.toString();
    history.replaceState(history.state, "", location.pathname + (query ? "?" + query : ""));
  }

  function restoreForm(form, hidden) {
    if (!form) return;
    FILTERS.forEach(function (name) {
      form.querySelectorAll('input[name="' + name + '"]').forEach(function (el) {
        el.checked = !hidden[name][urlValue(name, el.value)];
      });
    });
  }

  function checked(form, name) {
    var out = {};
    if (form) form.querySelectorAll('input[name="' + name + '"]').forEach(function (el) { out[el.value] = el.checked; });
    return out;
  }

  function nodeShown(node, kinds, levels) {
    var ls = node.goal_levels || [];
    var levelOk = ls.length ? ls.some(function (l) { return levels[l] !== false; }) : levels[""] !== false;
    return kinds[node.kind] !== false && levelOk;
  }

  // --- labels that fit -------------------------------------------------------------------------------------

  var measure = null;
  function textWidth(text, font) {
    if (!measure) measure = document.createElement("canvas").getContext("2d");
    measure.font = font;
    return measure.measureText(text).width;
  }

  /* Choose which nodes show their label: in order of priority (the focused record, its neighbours, then by how
     many relations a record has), each label that lies inside the view and overlaps no label already chosen.
     The box is where cytoscape draws a bottom label (just under the node), a little larger on every side. Labelled
     nodes are drawn above the others (z-index), so an unlabelled shape never covers a label; but one labelled node
     covered another's label ("RAFT" half under a hub), so a label's box and its node's shape may not overlap a
     label or a shape already chosen either. */
  function apart(a, b) { return a.x2 < b.x1 || a.x1 > b.x2 || a.y2 < b.y1 || a.y1 > b.y2; }

  function placeLabels(cy, state) {
    var font = LABEL_PX + "px " + state.fontFamily;
    var w = cy.width(), hgt = cy.height();
    var focus = state.focus ? cy.getElementById(state.focus) : null;
    var near = {};
    if (focus && focus.length) focus.closedNeighborhood("node").forEach(function (n) { near[n.id()] = true; });
    var candidates = cy.nodes().filter(function (n) { return n.visible(); }).toArray();
    candidates.sort(function (a, b) {
      var fa = a.id() === state.focus ? 2 : near[a.id()] ? 1 : 0;
      var fb = b.id() === state.focus ? 2 : near[b.id()] ? 1 : 0;
      if (fa !== fb) return fb - fa;
      var da = a.data("degree"), db = b.data("degree");
      if (da !== db) return db - da;
      return a.id() < b.id() ? -1 : 1;
    });
    var boxes = [], chosen = {}, labelled = 0;
    for (var i = 0; i < candidates.length && labelled < MAX_LABELS; i++) {
      var n = candidates[i], p = n.renderedPosition();
      var r = n.renderedWidth() / 2;
      var lw = textWidth(n.data("label"), font) + 4;
      var box = { x1: p.x - lw / 2, x2: p.x + lw / 2, y1: p.y + r + 1, y2: p.y + r + 4 + LABEL_PX * 1.5 };
      var must = n.id() === state.focus;
      if (!must && (box.x1 < 0 || box.x2 > w || box.y1 < 0 || box.y2 > hgt)) continue;
      var body = { x1: p.x - r, x2: p.x + r, y1: p.y - r, y2: p.y + r };
      var free = boxes.every(function (o) { return apart(box, o) && apart(body, o); });
      if (free || must) { boxes.push(box, body); chosen[n.id()] = true; labelled++; }
    }
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.toggleClass("ac-label", !!chosen[n.id()]); });
    });
  }


  // --- drawing -----------------------------------------------------------------------------------------------

  /* The stylesheet for zoom z: sizes in model units chosen so that on screen a label is LABEL_PX high and a node
     at least MIN_NODE_PX wide at any zoom. Plain numbers, not style functions (which cytoscape cannot cache:
     they made the first drawing take seconds). */
  function sheet(z, fg, bg, font) {
    return [
      { selector: "node", style: {
        "background-color": "data(colour)", "shape": "data(shape)",
        "width": "mapData(size, 0, 40, " + MIN_NODE_PX / z + ", " + (MIN_NODE_PX / z + 32) + ")",
        "height": "mapData(size, 0, 40, " + MIN_NODE_PX / z + ", " + (MIN_NODE_PX / z + 32) + ")",
        "border-width": 1 / z, "border-color": bg,
        "label": "", "color": fg, "font-family": font, "font-size": LABEL_PX / z,
        "text-valign": "bottom", "text-margin-y": 2 / z,
        "text-background-color": bg, "text-background-opacity": 0.85, "text-background-padding": 1 / z,
        "min-zoomed-font-size": 0 } },
      { selector: "node.ac-label, node.ac-hover, node:selected", style: { "label": "data(label)", "z-index": 10 } },
      { selector: "node:selected", style: { "border-width": 3 / z, "border-color": fg, "font-weight": "bold" } },
      { selector: "edge", style: { "width": 1 / z, "line-color": "#999", "target-arrow-color": "#999",
        "target-arrow-shape": "triangle", "arrow-scale": 0.7, "curve-style": "bezier",
        "line-style": "data(line)", "opacity": 0.7 } },
      { selector: ".ac-hidden", style: { "display": "none" } },
      { selector: ".ac-faded", style: { "opacity": 0.12 } }
    ];
  }

  /* A new stylesheet when the zoom has moved by more than a few per cent since the last one. */
  function rescale(cy) {
    var z = cy.zoom();
    if (cy.acZoom && Math.abs(Math.log(z / cy.acZoom)) < 0.04) return false;
    cy.acZoom = z;
    cy.style(sheet(z, cy.acColours.fg, cy.acColours.bg, cy.acColours.font));
    return true;
  }

  function draw(box, data, config) {
    var styles = getComputedStyle(box);
    var fg = styles.color || "#333";
    var bg = styles.backgroundColor && styles.backgroundColor !== "rgba(0, 0, 0, 0)" ? styles.backgroundColor : "#fff";
    var ordered = {};
    config.ordered.forEach(function (t) { ordered[t] = true; });
    var elements = [];
    // The build lays the graph out wide; a tall box (a phone held upright) shows it turned on its diagonal, so
    // older works run down instead of across. The same box size always gives the same picture.
    var layout = (data.graph && data.graph.layout) || {};
    var upright = box.clientHeight > box.clientWidth * 1.15 && layout.width > layout.height;
    box.dataset.orientation = upright ? "upright" : "across";
    data.nodes.forEach(function (n) {
      if (typeof n.x !== "number") return;  // no relation: listed beside the drawing
      var pos = upright ? { x: n.y, y: n.x } : { x: n.x, y: n.y };
      elements.push({ group: "nodes", position: pos, data: {
        id: n.id, label: shortLabel(n.label), title: n.title, url: n.url, kind: n.kind, year: n.year,
        levels: n.goal_levels, colour: colourOf(n, config), shape: config.shapes[n.kind] || "ellipse",
        degree: n.in_degree + n.out_degree, size: 10 + 3.5 * Math.sqrt(n.in_degree) } });
    });
    data.edges.forEach(function (e, i) {
      elements.push({ group: "edges", data: { id: "e" + i, source: e.source, target: e.target, type: e.type,
        line: ordered[e.type] ? "solid" : "dashed" } });
    });
    box.replaceChildren();
    /* Cytoscape adds an inline <style> element (its container's position: relative) unless an element with this
       id exists; the CSP's style-src 'self' would refuse it, so graph.css holds that rule and this marker stands
       in for the element. */
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      var marker = document.createElement("meta");
      marker.id = "__________cytoscape_stylesheet";
      document.head.appendChild(marker);
    }
    var cy = window.cytoscape({
      container: box,
      elements: elements,
      layout: { name: "preset", fit: true, padding: 24 },
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 6,
      autoungrabify: true,  // positions are the build's: dragging would make two readers see different graphs
      style: sheet(1, fg, bg, styles.fontFamily)
    });
    cy.acColours = { fg: fg, bg: bg, font: styles.fontFamily };
    rescale(cy);
    window.acGraph = cy;  // for people exploring in the console, and for the browser tests
    return cy;
  }

  // --- the records with no relation, beside the drawing ------------------------------------------------------

  function isolatedList(box, data) {
    var lonely = data.nodes.filter(function (n) { return typeof n.x !== "number"; });
    if (!lonely.length) return null;
    lonely.sort(function (a, b) { return a.label.localeCompare(b.label); });
    var wrap = document.createElement("div");
    wrap.className = "ac-graph-layout";
    box.parentNode.insertBefore(wrap, box);
    wrap.appendChild(box);
    var aside = document.createElement("aside");
    aside.className = "ac-graph-isolated";
    aside.setAttribute("aria-labelledby", "ac-graph-isolated-title");
    var head = document.createElement("h2");
    head.id = "ac-graph-isolated-title";
    head.textContent = "Not linked to other records (" + lonely.length + ")";
    var ul = document.createElement("ul");
    lonely.forEach(function (n) {
      var li = document.createElement("li");
      li.dataset.id = n.id;
      var a = document.createElement("a");
      a.href = n.url || "#";
      a.textContent = n.label;
      a.title = n.title;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + n.year + ")"));
      ul.appendChild(li);
      li._node = n;
    });
    aside.appendChild(head);
    aside.appendChild(ul);
    wrap.appendChild(aside);
    return aside;
  }

  // --- filters and focus -------------------------------------------------------------------------------------

  function applyFilters(cy, form, aside, total) {
    var types = checked(form, "type"), kinds = checked(form, "kind"), levels = checked(form, "level");
    var shown = 0;
    cy.batch(function () {
      cy.nodes().forEach(function (n) {
        var ok = nodeShown({ kind: n.data("kind"), goal_levels: n.data("levels") }, kinds, levels);
        n.toggleClass("ac-hidden", !ok);
        if (ok) shown++;
      });
      cy.edges().forEach(function (e) {
        var ok = types[e.data("type")] !== false && !e.source().hasClass("ac-hidden") && !e.target().hasClass("ac-hidden");
        e.toggleClass("ac-hidden", !ok);
      });
    });
    if (aside) aside.querySelectorAll("li").forEach(function (li) {
      var ok = nodeShown(li._node, kinds, levels);
      li.hidden = !ok;
      if (ok) shown++;
    });
    var count = form && form.querySelector(".ac-graph-count");
    if (count) count.textContent = shown + " of " + total + " records shown";
    if (form) form.dataset.shown = String(shown);
  }

  var CARD_HINT = "Click a record to focus it (its relations stay lit and labelled); click it again to open its page.";

  /* A line above the drawing, always there (so the drawing never moves): a hint, or the focused record. */
  function card(box) {
    var el = document.createElement("div");
    el.className = "ac-graph-card";
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    el.textContent = CARD_HINT;
    var host = box.parentNode.classList.contains("ac-graph-layout") ? box.parentNode : box;
    host.parentNode.insertBefore(el, host);
    return el;
  }

  function showCard(el, node, clear) {
    if (!node) { el.textContent = CARD_HINT; el.classList.remove("ac-graph-card-focus"); return; }
    var title = document.createElement("strong");
    title.textContent = node.data("title");
    var meta = document.createTextNode(" (" + node.data("year") + ") ");
    var open = document.createElement("a");
    open.href = node.data("url");
    open.textContent = "Open the record";
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "ac-graph-clear";
    btn.textContent = "Clear focus";
    btn.addEventListener("click", clear);
    el.replaceChildren(title, meta, open, document.createTextNode(" · "), btn);
    el.classList.add("ac-graph-card-focus");
  }

  function init() {
    var box = document.getElementById("ac-graph");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var config = JSON.parse(document.getElementById("ac-graph-config").textContent);
    var form = document.querySelector(".ac-graph-filters");
    var url = readUrl();
    restoreForm(form, url.hidden);
    fetch(box.dataset.src).then(function (r) {
      if (!r.ok) throw new Error(box.dataset.src + ": HTTP " + r.status);
      return r.json();
    }).then(function (data) {
      loadScript(box.dataset.cytoscape, function () {
        var aside = isolatedList(box, data);
        var info = card(box);
        var cy = draw(box, data, config);
        var state = { focus: "", fontFamily: getComputedStyle(box).fontFamily || "sans-serif" };
        var pending = false;
        function relabel() {
          if (pending) return;
          pending = true;
          requestAnimationFrame(function () { pending = false; rescale(cy); placeLabels(cy, state); });
        }
        function setFocus(id, move) {
          var node = id ? cy.getElementById(id) : null;
          cy.$(":selected").unselect();
          if (node && node.length) {
            state.focus = id;
            node.select();
            if (move) {
              var hood = node.closedNeighborhood().filter(function (e) { return e.visible(); });
              cy.fit(hood, 40);
              if (cy.zoom() > 2) cy.zoom({ level: 2, position: node.position() });
            }
          } else {
            state.focus = "";
            node = null;
          }
          showCard(info, node, function () { setFocus("", false); writeUrl(form, ""); });
          relabel();
        }
        cy.on("viewport", relabel);
        cy.on("tap", "node", function (evt) {
          var n = evt.target;
          if (state.focus === n.id()) {  // a second tap on the focused record opens its page
            if (n.data("url")) window.location.href = n.data("url");
            return;
          }
          setFocus(n.id(), false);
          writeUrl(form, n.id());
        });
        cy.on("tap", function (evt) {
          if (evt.target === cy && state.focus) { setFocus("", false); writeUrl(form, ""); }
        });
        cy.on("mouseover", "node", function (evt) {
          var n = evt.target;
          box.title = n.data("title") + " (" + n.data("year") + ")";
          n.addClass("ac-hover");
          cy.elements().not(n.closedNeighborhood()).addClass("ac-faded");
        });
        cy.on("mouseout", "node", function (evt) {
          box.title = "";
          evt.target.removeClass("ac-hover");
          cy.elements().removeClass("ac-faded");
        });
        if (form) {
          form.addEventListener("change", function () {
            applyFilters(cy, form, aside, data.nodes.length);
            writeUrl(form, state.focus);
            relabel();
          });
        }
        applyFilters(cy, form, aside, data.nodes.length);
        setFocus(url.focus, true);
        if (url.focus && !state.focus) {
          var li = aside && aside.querySelector('li[data-id="' + CSS.escape(url.focus) + '"]');
          if (li) li.classList.add("ac-graph-isolated-focus");
        }
        rescale(cy);
        placeLabels(cy, state);
        box.dataset.rendered = "1";
      });
    }).catch(function (err) { fail(err.message); });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);  // Material instant nav
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
