/* aligncat: Pagefind's JavaScript API with two changes, for the search page's Pagefind UI (which loads
   `<bundlePath>pagefind.js`; the page points its bundlePath here). A search's results whose page has a search
   term equal to the query (a record's short name, aliases, id or authors, which the record page marks as
   Pagefind metadata `aligncat_names` and `aligncat_authors`) come first (search-match.js); the others keep
   Pagefind's order. Pagefind ranks by weighted term frequency, so "DPO" put two pages comparing DPO with PPO
   above DPO itself. Only the first RANK_DEPTH results are looked at: their data is fetched once, and Pagefind
   keeps it for the UI. The real module is Pagefind's own, written by its binary into pagefind/ at build time. */
import "../search-match.js";
import * as pagefind from "../../../pagefind/pagefind.js";

const RANK_DEPTH = 30;
const SEPARATOR = " · ";   // how render/templates/record_search_filters.html joins a record's terms

function termsOf(data) {
  const meta = (data && data.meta) || {};
  return [meta.aligncat_names, meta.aligncat_authors]
    .filter(Boolean)
    .flatMap((text) => String(text).split(SEPARATOR));
}

// Pagefind counts a search's filters from the filter chunks it has loaded: a search that ran while the UI was
// still loading them (a page opened with ?q=) came back with only some filters (just "year"), and the UI's panel
// showed those alone (1 load in 15 in headless Chromium). The filters are loaded once, before any search.
let loadedFilters = null;
export function filters() {
  loadedFilters = loadedFilters || pagefind.filters();
  return loadedFilters;
}

export async function search(term, options) {
  await filters();
  const found = await pagefind.search(term, options);
  if (!found || !Array.isArray(found.results) || (options && options.sort)) return found;
  const head = found.results.slice(0, RANK_DEPTH);
  const data = await Promise.all(head.map((result) => result.data()));
  const byResult = new Map(head.map((result, i) => [result, termsOf(data[i])]));
  const ranked = self.aligncatSearch.exactFirst(head, term, (result) => byResult.get(result));
  if (!ranked.hits) return found;
  return {...found, results: [...ranked.items, ...found.results.slice(RANK_DEPTH)]};
}

export const {createInstance, debouncedSearch, destroy, init, mergeIndex, options, preload} = pagefind;
