// Manual linking: search Salesforce by text and add a record to this item's links.
import { h, notice, replace } from "../dom.js";
import { PLURAL } from "../reasons.js";

const SEARCHABLE = ["Contact", "Lead", "Account", "Opportunity", "Case"];

export function renderSearch(ctx, onLink) {
  const input = h("input", { type: "search", name: "q", id: "search-q", placeholder: "Name, email, number…", minLength: 2 });
  const types = h("select", { name: "types", "aria-label": "Record types" },
    h("option", { value: SEARCHABLE.join(",") }, "All types"),
    SEARCHABLE.map((t) => h("option", { value: t }, PLURAL[t])));
  const results = h("ul.records.results", { id: "search-results" });
  const form = h("form.search", {},
    h("h2", {}, "Find a record to link"), h("div.row", {}, input, types, h("button", { type: "submit" }, "Search")), results);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (q.length < 2) return replace(results, notice("info", "Type at least 2 characters."));
    replace(results, notice("info", "Searching…"));
    try {
      const data = await ctx.api.get(`/records/search?q=${encodeURIComponent(q)}&types=${encodeURIComponent(types.value)}`);
      if (!data.results.length) return replace(results, notice("info", "Nothing found."));
      replace(results, data.results.map((r) => h("li.record", { dataset: { type: r.type, id: r.id } },
        h("strong", {}, r.name), h("span.detail", {}, [r.type, r.detail].filter(Boolean).join(" · ")),
        h("button", { type: "button", className: "link-record",
          onclick: () => onLink({ type: r.type, id: r.id, name: r.name, url: r.url, detail: r.detail }) }, "Link"))));
    } catch (err) {
      replace(results, notice("error", err.message));
    }
  });
  return form;
}
