/* aligncat: what both search backends use to put a reader's exact match first. A page's search terms are a
   record's short name, aliases, id and authors (render/search_terms.py); a result whose page has one equal to
   the query, compared without case, accents, markup or punctuation ("R-DPO" is "r dpo", "Tülu" is "tulu"),
   comes before the others, which keep the backend's order. Loaded by the lunr worker (importScripts) and by the
   Pagefind search page's module: it only defines self.aligncatSearch. */
(function (scope) {
  "use strict";
  var ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": "\"", "&#39;": "'", "&#x27;": "'"};

  function normal(text) {
    return String(text == null ? "" : text)
      .replace(/<[^>]*>/g, "")       // the theme marks matches with <mark>
      .replace(/&(amp|lt|gt|quot|#39|#x27);/g, function (e) { return ENTITIES[e]; })
      .normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  /* {items, hits}: `items` with the `hits` whose terms (termsOf(item), a list of strings) hold the query first,
     each part in its order; `items` itself when none does. */
  function exactFirst(items, query, termsOf) {
    var q = normal(query);
    if (!q || !Array.isArray(items)) return {items: items, hits: 0};
    var first = [], rest = [];
    items.forEach(function (item) {
      var terms = termsOf(item) || [];
      var hit = false;
      for (var i = 0; i < terms.length && !hit; i++) hit = normal(terms[i]) === q;
      (hit ? first : rest).push(item);
    });
    return {items: first.length ? first.concat(rest) : items, hits: first.length};
  }

  scope.aligncatSearch = {normal: normal, exactFirst: exactFirst};
})(self);
