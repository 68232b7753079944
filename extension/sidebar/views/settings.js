// Personal customisation: what to sync and in which direction, time zone, and the blocklist.
// Settings the admin has locked are shown read-only.
import { h, notice, replace } from "../dom.js";

const OBJECTS = [["sync_calendar", "Calendar"], ["sync_tasks", "Tasks"], ["sync_contacts", "Contacts"]];
const DIRECTIONS = [["", "Org default"], ["off", "Don't sync"], ["to_salesforce", "Mailbox → Salesforce"],
  ["to_mailbox", "Salesforce → mailbox"], ["two_way", "Both ways"]];
const BLOCK_ENTRY = /^(@[^@\s]+\.[^@\s]+|[^@\s]+@[^@\s]+\.[^@\s]+|\/.+\/i?)$/;  // the server checks patterns

export async function renderSettings(ctx, el) {
  replace(el, notice("info", "Loading settings…"));
  let me;
  try {
    me = ctx.me = await ctx.api.get("/me");
  } catch (err) {
    replace(el, notice("error", err.message));
    return;
  }
  replace(el, h("section.settings", {}, h("h1", {}, "Settings"), syncForm(ctx, me), blocklist(ctx)));
}

function syncForm(ctx, me) {
  const locked = me.settings_locked;
  const status = h("div.status");
  const selects = OBJECTS.map(([key, label]) => h("label", {}, label,
    h("select", { name: key, disabled: locked },
      DIRECTIONS.map(([value, text]) => h("option", { value, selected: (me.settings[key] || "") === value }, text)))));
  const timezone = h("input", { name: "timezone", value: me.settings.timezone || "",
    placeholder: Intl.DateTimeFormat().resolvedOptions().timeZone });
  const form = h("form.sync-settings", { id: "sync-settings" },
    h("h2", {}, "What to sync"),
    h("p.muted", {}, `Automatic sync is ${me.auto_sync_effective ? "on" : "off"} for you (set by your admin).`),
    locked ? notice("info", "Your admin manages these sync settings; they are shown read-only.") : null,
    selects, h("label", {}, "Time zone", timezone),
    h("button.primary", { type: "submit" }, "Save settings"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const settings = { timezone: timezone.value.trim() || null };
    if (!locked) for (const s of form.querySelectorAll("select")) settings[s.name] = s.value || null;
    try {
      ctx.me = await ctx.api.patch("/me", { settings });
      replace(status, notice("ok", "Settings saved."));
    } catch (err) {
      replace(status, notice("error", err.message));
    }
  });
  return form;
}

function blocklist(ctx) {
  let entries = [];
  const list = h("ul.blocklist", { id: "blocklist" });
  const status = h("div.status");
  const input = h("input", { name: "entry", placeholder: "name@example.com, @example.com or /^noreply@/" });
  const draw = () => replace(list, entries.length ? entries.map((entry) => h("li", {}, entry, " ",
    h("button.link", { type: "button", onclick: () => { entries = entries.filter((e) => e !== entry); draw(); } }, "Remove")))
    : h("li.muted", {}, "Nothing blocked."));
  const form = h("form.blocklist-form", {},
    h("h2", {}, "Never sync these addresses"),
    h("p.muted", {}, "These people are never looked up or linked in Salesforce, and mail with only them outside "
      + "your company is not saved automatically. Patterns go between slashes."),
    list, h("div.row", {}, input, h("button", { type: "button", onclick: () => {
      const raw = input.value.trim();
      const value = raw.startsWith("/") ? raw : raw.toLowerCase();   // a pattern keeps its case (\S is not \s)
      if (!BLOCK_ENTRY.test(value)) {
        return replace(status, notice("error", "Enter an address, @domain or /regular expression/."));
      }
      if (!entries.includes(value)) entries.push(value);
      input.value = "";
      replace(status);
      draw();
    } }, "Add")),
    h("button.primary", { type: "submit" }, "Save blocklist"), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await ctx.api.put("/me/blocklist", { entries });
      replace(status, notice("ok", "Blocklist saved."));
    } catch (err) {
      replace(status, notice("error", err.message));
    }
  });
  ctx.api.get("/me/blocklist").then((data) => { entries = data.entries || []; draw(); })
    .catch((err) => replace(status, notice("error", err.message)));
  return form;
}
