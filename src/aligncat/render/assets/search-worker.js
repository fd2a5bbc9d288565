/* aligncat's search worker: the theme's lunr worker (Material's, named by ?material=, from the same folder) with
   one change to its results and one to its queries.
   - Results: a page whose search term (its `tags`: a record's short name, aliases, id and authors) is the query
     comes first (search-match.js). Lunr scores by term frequency, so "DPO" alone ranks R-DPO (whose names say
     "dpo" twice) above DPO, and "Safe RLHF" ranks SafetyBench, which repeats "safety", above Safe RLHF.
   - Queries: a colon after a word that is not an index field ("title:", "text:", "tags:") is read as a space, so
     a title typed or pasted whole ("MaxMin-RLHF: Towards ...") finds its page; lunr took the word for a field it
     does not have, and the theme showed no result at all.
   Messages (Material 9's search worker protocol): SETUP {type 0, data: {config, docs}}, QUERY {type 2, data:
   query}, RESULT {type 3, data: {items: [[item, ...], ...]}}, one RESULT for each QUERY, in order. */
(function () {
  "use strict";
  var SETUP = 0, QUERY = 2, RESULT = 3;
  var terms = Object.create(null);   // page location -> its search terms
  var queries = [];                  // queries sent to the theme's worker and not yet answered
  var fields = [];                   // the index's fields (a query's "field:" may name one)

  importScripts("../../aligncat/search-match.js");
  var match = self.aligncatSearch;

  function page(location) { return String(location || "").split("#")[0]; }
  function withoutStrayColons(query) {
    return query.replace(/([^\s:]*):/g, function (all, word) {
      return fields.indexOf(word.toLowerCase()) >= 0 ? all : word + " ";
    });
  }

  function rerank(data, query) {
    if (!data || !Array.isArray(data.items)) return data;
    var ranked = match.exactFirst(data.items, query, function (group) {
      return [].concat.apply([], group.map(function (item) { return terms[page(item.location)] || []; }));
    });
    if (!ranked.hits) return data;
    // The theme opens the best-scored result on Enter: the moved results also score above every other one.
    var top = 0;
    data.items.forEach(function (group) {
      group.forEach(function (item) { top = Math.max(top, +item.score || 0); });
    });
    return Object.assign({}, data, {items: ranked.items.map(function (group, index) {
      return index >= ranked.hits ? group : group.map(function (item) {
        return Object.assign({}, item, {score: (+item.score || 0) + top});
      });
    })});
  }

  // Registered before the theme's worker is loaded, so this listener sees each message first; the theme's
  // listener then gets the same message, with the query as changed here.
  self.addEventListener("message", function (ev) {
    var message = ev.data || {};
    if (message.type === SETUP && message.data && Array.isArray(message.data.docs)) {
      fields = Object.keys((message.data.config || {}).fields || {}).map(function (f) { return f.toLowerCase(); });
      message.data.docs.forEach(function (doc) {
        if (doc && Array.isArray(doc.tags) && doc.tags.length) terms[page(doc.location)] = doc.tags;
      });
    } else if (message.type === QUERY && typeof message.data === "string") {
      message.data = withoutStrayColons(message.data);
      queries.push(message.data);
    }
  });

  var post = self.postMessage.bind(self);
  self.postMessage = function (message) {
    if (message && message.type === RESULT) message = {type: RESULT, data: rerank(message.data, queries.shift())};
    return post.apply(null, [message].concat([].slice.call(arguments, 1)));
  };

  var material = new URLSearchParams(self.location.search).get("material") || "";
  if (!/^search\.[0-9a-f]+\.min\.js$/.test(material)) {
    throw new Error("aligncat-search.js: ?material= must name the theme's search worker file");
  }
  importScripts(material);
})();
