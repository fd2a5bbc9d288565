/* aligncat: point the theme's search at aligncat's ranking worker (assets/javascripts/workers/aligncat-search.js),
   which runs the theme's own worker unchanged and only reorders its results so that a page whose search term
   (a record's short name, alias, id or author, the page's `tags`) is exactly what the reader typed comes first.
   Runs before the theme's bundle, which reads the worker's address from #__config when it starts.
   Lunr ranks by term frequency: "DPO" alone would put R-DPO (whose names hold "dpo" twice) above DPO itself. */
(function () {
  "use strict";
  var el = document.getElementById("__config");
  if (!el) return;
  var config;
  try { config = JSON.parse(el.textContent); } catch (e) { return; }
  var search = config && config.search;
  var match = typeof search === "string" && /^(.*\/)?(search\.[0-9a-f]+\.min\.js)$/.exec(search);
  if (!match) return;   // not Material's worker as we know it: leave the theme's search as it is
  config.search = (match[1] || "") + "aligncat-search.js?material=" + match[2];
  el.textContent = JSON.stringify(config);
})();
