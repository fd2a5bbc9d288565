/* aligncat site script: filterable, sortable record tables whose state lives in the URL; copy-BibTeX buttons;
   "export this view" downloads. Plain DOM code, no libraries, nothing fetched from another host.
   The table's text filter is `?find=`: the theme's search reads `?q=` (and `?h=`) and would open over the page. */
(function () {
  "use strict";

  var LIST_FILTERS = ["goal", "perspective", "tag", "protocol"];   // a row may hold several values
  var EXACT_FILTERS = ["kind", "license", "venue"];

  function rowMatches(row, state) {
    var d = row.dataset;
    for (var i = 0; i < LIST_FILTERS.length; i++) {
      var f = LIST_FILTERS[i];
      if (state[f] && (d[f] || "").split(" ").indexOf(state[f]) < 0) return false;
    }
    for (var j = 0; j < EXACT_FILTERS.length; j++) {
      var g = EXACT_FILTERS[j];
      if (state[g] && (d[g] || "") !== state[g]) return false;
    }
    var year = parseInt(d.year, 10);
    if (state.from && year < parseInt(state.from, 10)) return false;
    if (state.to && year > parseInt(state.to, 10)) return false;
    if (state.find) {
      var words = state.find.toLowerCase().split(/\s+/).filter(Boolean);
      var text = d.text || "";
      for (var k = 0; k < words.length; k++) if (text.indexOf(words[k]) < 0) return false;
    }
    if (state.author) {   // every word in one author's name: "ouyang long" finds Long Ouyang, not two people
      var parts = state.author.toLowerCase().split(/\s+/).filter(Boolean);
      var names = (d.author || "").split("|");
      if (!names.some(function (name) { return parts.every(function (p) { return name.indexOf(p) >= 0; }); })) return false;
    }
    return true;
  }

  function readForm(form) {
    var state = {};
    form.querySelectorAll("[data-filter]").forEach(function (el) {
      if (el.value) state[el.dataset.filter] = el.value.trim();
    });
    return state;
  }

  function writeUrl(state, sort) {
    var params = new URLSearchParams();
    Object.keys(state).sort().forEach(function (k) { if (state[k]) params.set(k, state[k]); });
    if (sort && sort.key) { params.set("sort", sort.key); params.set("dir", sort.dir); }
    var query = params.toString();
    var url = location.pathname + (query ? "?" + query : "") + location.hash;
    history.replaceState(history.state, "", url);
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim().toLowerCase();
  }

  function sortTable(table, sort) {
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var index = headers.findIndex(function (th) { return th.dataset.sort === sort.key; });
    headers.forEach(function (th) { th.removeAttribute("aria-sort"); });
    if (index < 0) return;
    headers[index].setAttribute("aria-sort", sort.dir === "asc" ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var numeric = rows.every(function (r) { var v = cellValue(r, index); return v === "" || !isNaN(Number(v)); });
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var c = numeric ? (Number(x) - Number(y)) : x.localeCompare(y);
      return sort.dir === "asc" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function setupTable(table) {
    var form = document.querySelector('form.ac-filters[data-for="' + table.id + '"]');
    var count = document.getElementById(table.id + "-count");
    var params = new URLSearchParams(location.search);
    var sort = { key: params.get("sort"), dir: params.get("dir") === "asc" ? "asc" : "desc" };

    function apply(updateUrl) {
      var state = form ? readForm(form) : {};
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var ok = rowMatches(row, state);
        row.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = shown + (shown === 1 ? " record" : " records") +
        (shown !== table.tBodies[0].rows.length ? " of " + table.tBodies[0].rows.length : "");
      if (updateUrl) writeUrl(state, sort);
      if (toggle) {
        var active = Object.keys(state).length;
        toggle.textContent = "Filter the table" + (active ? " (" + active + " active)" : "");
      }
    }

    if (form) {
      var toggle = phoneToggle(form);
      form.querySelectorAll("[data-filter]").forEach(function (el) {
        var value = params.get(el.dataset.filter);
        if (value !== null) {
          if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === value; })) {
            var opt = document.createElement("option");   // a shared link may name a value this page lacks
            opt.value = value; opt.textContent = value;
            el.appendChild(opt);
          }
          el.value = value;
        }
        el.addEventListener(el.tagName === "SELECT" ? "change" : "input", function () { apply(true); });
      });
      form.addEventListener("submit", function (e) { e.preventDefault(); });
      form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
      form.querySelectorAll("[data-export]").forEach(function (button) {
        button.addEventListener("click", function () { exportView(form, table, button.dataset.export); });
      });
    }
    table.querySelectorAll("th[data-sort] button").forEach(function (button) {
      button.addEventListener("click", function () {
        var key = button.parentElement.dataset.sort;
        sort = { key: key, dir: sort.key === key && sort.dir === "asc" ? "desc" : "asc" };
        sortTable(table, sort);
        apply(true);
      });
    });
    if (sort.key) sortTable(table, sort);
    apply(false);
  }

  // On a phone the filter form folds behind one button (aligncat.css shows the button and hides the form below
  // 45em unless it is open), so the table is on the first screen; the button says how many filters are active.
  function phoneToggle(form) {
    if (!form.id) form.id = (form.dataset.for || "table") + "-filters";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button ac-filters-toggle";
    button.setAttribute("aria-controls", form.id);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = !form.classList.contains("ac-open");
      form.classList.toggle("ac-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    form.parentNode.insertBefore(button, form);
    return button;
  }

  function download(name, type, text) {
    var blob = new Blob([text], { type: type });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  var citationCache = {};
  function citations(url) {
    if (!citationCache[url]) {
      citationCache[url] = fetch(url).then(function (r) {
        if (!r.ok) throw new Error("cannot load " + url + ": " + r.status);
        return r.json();
      });
    }
    return citationCache[url];
  }

  // The file "export this view" writes is named after the view: the site, the page and each filter that is set,
  // the years as "from-to" (open ends left empty), e.g. alignment-goals-catalog-eval-values-2022-.bib.
  function slug(text) { return String(text).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, ""); }
  function viewFileName(form) {
    var parts = document.title.split(" - ");
    var bits = [slug(parts.pop() || "catalog") || "catalog"];
    if (parts.length) bits.push(slug(parts.join(" - ")));
    var years = { from: "", to: "" };
    form.querySelectorAll("[data-filter]").forEach(function (el) {
      var name = el.dataset.filter;
      if (name === "from" || name === "to") years[name] = String(el.value || "").replace(/[^0-9]/g, "");
      else if (el.value) bits.push(slug(el.value));
    });
    if (years.from || years.to) bits.push(years.from + "-" + years.to);
    return bits.filter(Boolean).join("-").slice(0, 150);
  }

  function exportView(form, table, format) {
    var holder = form.querySelector("[data-citations]");
    var ids = Array.prototype.filter.call(table.tBodies[0].rows, function (r) { return !r.hidden; })
      .map(function (r) { return r.dataset.id; });
    citations(holder.dataset.citations).then(function (data) {
      var base = viewFileName(form);
      if (format === "bibtex") {
        var entries = ids.map(function (id) { return data[id] && data[id].bibtex; }).filter(Boolean);
        download(base + ".bib", "application/x-bibtex", entries.map(function (e) { return e.trim(); }).join("\n\n") + "\n");
      } else {
        var items = ids.map(function (id) { return data[id] && data[id].csl; }).filter(Boolean);
        download(base + ".json", "application/vnd.citationstyles.csl+json", JSON.stringify(items, null, 2) + "\n");
      }
    }).catch(function (err) { window.alert("Export failed: " + err.message); });
  }

  function setupCopy(button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      var status = button.parentElement.querySelector(".ac-copied");
      var code = source ? (source.querySelector("code") || source) : null;
      var text = code ? code.textContent : "";
      var done = function (msg) { if (status) status.textContent = msg; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done("Copied."); },
          function () { done("Copy failed: select the text and copy it."); });
      } else {
        done("Select the text above and copy it.");
      }
    });
  }

  function init() {
    // The theme's search dialog has no accessible name; give it one (axe: aria-dialog-name).
    document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])').forEach(function (d) {
      d.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll("table[data-filterable]").forEach(function (t) {
      if (!t.dataset.ready) { t.dataset.ready = "1"; setupTable(t); }
    });
    document.querySelectorAll("button.ac-copy").forEach(function (b) {
      if (!b.dataset.ready) { b.dataset.ready = "1"; setupCopy(b); }
    });
    // A record's Cite button opens its citing panel (a <details>; a link to #cite opens it too).
    var panel = document.getElementById("cite");
    if (panel && panel.tagName === "DETAILS" && !panel.dataset.ready) {
      panel.dataset.ready = "1";
      var open = function () { panel.open = true; };
      document.querySelectorAll("a.ac-cite-open").forEach(function (a) {
        a.addEventListener("click", function (e) {
          e.preventDefault();
          panel.open = !panel.open;   // it opens right under the button, on the same screen
        });
      });
      if (location.hash === "#cite") open();
      window.addEventListener("hashchange", function () { if (location.hash === "#cite") open(); });
    }
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);  // Material's page event
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
