// The open email or meeting: related records with reasons, suggested people, and the
// actions that fit (Save in Read mode, save via sync for meetings, save when sent in Compose).
import { normaliseItem } from "../host.js";
import { formatDate, h, notice, recordLink, replace } from "../dom.js";
import { PLURAL, RECORD_TYPES, reasonText } from "../reasons.js";
import { openSaveDialog } from "./save-dialog.js";
import { openCreateDialog } from "./create.js";
import { renderSearch } from "./search.js";

export async function renderItem(ctx, el) {
  const item = normaliseItem(await ctx.host.getCurrentItem());
  if (!item) {
    replace(el, h("section.empty", {}, h("p", {}, "Open an email or a meeting to see its Salesforce records.")));
    return;
  }
  replace(el, summary(item), notice("info", "Looking for related records…"));
  let data;
  try {
    ({ data } = await ctx.api.post("/related-records", { item }));
  } catch (err) {
    replace(el, summary(item), notice("error", err.message));
    return;
  }
  const state = {
    item, groups: { ...data.groups }, suggested: data.suggested_new || [],
    saved: data.saved || null, threadAutosave: Boolean(data.thread_autosave), status: null,
  };
  draw(ctx, el, state);
}

function summary(item) {
  const from = item.from ? `${item.from.name || item.from.email} <${item.from.email}>` : "";
  return h("section.item-summary", {},
    h("h1.subject", {}, item.subject || "(no subject)"),
    from ? h("p.from", {}, from) : null,
    h("p.meta", {}, `${item.kind === "meeting" ? "Meeting" : "Email"} · ${formatDate(item.date)}`
      + (item.mode === "compose" ? " · draft" : "")));
}

function draw(ctx, el, state) {
  const redraw = () => draw(ctx, el, state);
  const link = (record) => {
    const list = (state.groups[record.type] ||= []);
    if (!list.some((r) => r.id === record.id)) {
      list.push({ ...record, reasons: [{ kind: "manual", detail: "" }] });
    }
    redraw();
  };
  replace(el,
    summary(state.item),
    state.status,
    savedBox(ctx, state),
    actions(ctx, state, redraw),
    relatedGroups(ctx, state),
    suggestedPeople(ctx, state, link),
    h("section.tools", {},
      h("button", { type: "button", id: "new-record",
        onclick: () => openCreateDialog(ctx, { type: "Contact", prefill: {}, state, onCreated: link }) },
      "New record…"),
      renderSearch(ctx, link)));
}

function savedBox(ctx, state) {
  if (!state.saved) return null;
  const again = state.saved.status !== "saved";
  return h("section.saved", { id: "saved-state" },
    h("strong", {}, again ? "Already saved in Salesforce" : "Saved in Salesforce"),
    " as ", state.saved.record_type || "a record", " · ",
    recordLink(ctx, state.saved.url, "Open in Salesforce"));
}

function actions(ctx, state, redraw) {
  const { item } = state;
  const done = (message) => (result) => {
    if (result && result.record_id) state.saved = result;
    state.status = notice("ok", message(result));
    redraw();
  };
  const open = (mode, message) => () => openSaveDialog(ctx, { item, groups: state.groups, mode, onDone: done(message) });
  if (item.kind === "meeting") {
    return h("section.actions", {}, h("button.primary", { type: "button", id: "save-meeting",
      onclick: open("meeting", () => "The next sync saves this meeting in Salesforce.") },
    "Save via sync…"));
  }
  if (item.mode === "compose") {
    return h("section.actions", {}, h("button.primary", { type: "button", id: "save-when-sent",
      onclick: open("compose", () => "This email will be saved to Salesforce by the sync once it is sent.") },
    "Save when sent…"));
  }
  return h("section.actions", {},
    state.saved ? null : h("button.primary", { type: "button", id: "save-email",
      onclick: open("email", (r) => (r.status === "saved" ? "Email saved." : "This email was already saved.")) },
    "Save email…"),
    threadToggle(ctx, state));
}

function threadToggle(ctx, state) {
  const threadId = state.item.thread_id;
  const status = h("span.toggle-status");
  const box = h("input", {
    type: "checkbox", id: "thread-autosave", checked: state.threadAutosave, disabled: !threadId,
    onchange: async () => {
      box.disabled = true;
      const path = `/thread-autosaves/${encodeURIComponent(threadId)}`;
      try {
        if (box.checked) await ctx.api.put(path, {});
        else await ctx.api.delete(path);
        state.threadAutosave = box.checked;
        replace(status, box.checked ? "On: the sync saves new emails in this thread." : "Off.");
      } catch (err) {
        box.checked = !box.checked;
        replace(status, notice("error", err.message));
      }
      box.disabled = false;
    },
  });
  return h("label.toggle", { title: threadId ? "" : "This mail client does not expose the thread." },
    box, " Save all emails in this thread", status);
}

function relatedGroups(ctx, state) {
  const sections = RECORD_TYPES.filter((t) => (state.groups[t] || []).length).map((type) =>
    h("section.group", { dataset: { type } },
      h("h2", {}, `${PLURAL[type]} (${state.groups[type].length})`),
      h("ul.records", {}, state.groups[type].map((r) => recordRow(ctx, type, r)))));
  if (!sections.length) return h("section.group", {}, h("p.muted", {}, "No related records found in Salesforce."));
  return h("div.related", { id: "related" }, sections);
}

function recordRow(ctx, type, record) {
  const detail = [record.email, record.account_name, record.detail].filter(Boolean).join(" · ");
  return h("li.record", { dataset: { type, id: record.id } },
    recordLink(ctx, record.url, record.name || record.id),
    detail ? h("span.detail", {}, detail) : null,
    h("ul.reasons", {}, (record.reasons || []).map((reason) =>
      h("li.reason", { dataset: { kind: reason.kind } }, reasonText(reason)))));
}

function suggestedPeople(ctx, state, link) {
  if (!state.suggested.length) return null;
  return h("section.suggested", { id: "suggested" },
    h("h2", {}, "Not in Salesforce yet"),
    h("ul.records", {}, state.suggested.map((p) => {
      const prefill = { FirstName: p.first_name, LastName: p.last_name, Email: p.email,
        Title: p.title, Phone: p.phone, Company: p.company };
      const create = (type) => () => openCreateDialog(ctx, { type, prefill, state, onCreated: link });
      return h("li.record.suggestion", { dataset: { email: p.email } },
        h("strong", {}, [p.first_name, p.last_name].filter(Boolean).join(" ") || p.email),
        h("span.detail", {}, [p.email, p.title, p.company, p.phone].filter(Boolean).join(" · ")),
        h("span.buttons", {},
          h("button", { type: "button", className: "create-contact", onclick: create("Contact") }, "Create Contact"),
          h("button", { type: "button", className: "create-lead", onclick: create("Lead") }, "Create Lead")));
    })));
}
