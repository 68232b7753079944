// "Save … as an activity in Salesforce": pick Name (WhoId, several) and Related To (WhatId).
// Email (Read mode) saves now; meetings and Compose drafts are saved later by the sync.
import { h, notice, replace } from "../dom.js";
import { WHAT_TYPES, WHO_TYPES } from "../reasons.js";

const MAX_DESCRIPTION = 32000; // Salesforce long-text limit (LIMITS.md)
const MAX_CONTACTS = 50; // shared activities: up to 50 Contacts, or one Lead
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const TITLES = { email: "Save email to Salesforce", meeting: "Save meeting via sync", compose: "Save when sent" };

function defaultWho(groups) {
  const matched = (type) => (groups[type] || []).filter((r) => r.reasons.some((x) => x.kind === "address_match" || x.kind === "manual"));
  const contacts = matched("Contact");
  return new Set((contacts.length ? contacts : matched("Lead").slice(0, 1)).map((r) => r.id));
}

function defaultWhat(groups) {
  const all = WHAT_TYPES.flatMap((t) => groups[t] || []);
  const manual = all.find((r) => r.reasons.some((x) => x.kind === "manual"));
  return (manual || (groups.Account || []).find((r) => r.reasons.some((x) => x.kind === "domain_account")) || {}).id || "";
}

/** Salesforce's rule for shared activities, checked before the request. */
export function whoProblem(groups, whoIds) {
  const leads = (groups.Lead || []).filter((r) => whoIds.includes(r.id));
  if (leads.length && whoIds.length > 1) return "Salesforce links an activity to one Lead, or to Contacts only — not both.";
  if (whoIds.length > MAX_CONTACTS) return `Salesforce links an activity to at most ${MAX_CONTACTS} Contacts.`;
  return null;
}

function choice(type, name, record, checked) {
  return h("label.choice", {},
    h("input", { type, name, value: record.id, checked }),
    ` ${record.name || record.id} `, h("span.muted", {}, `(${record.type || ""})`));
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ filename: file.name, content_type: file.type || "application/octet-stream",
      content_base64: String(reader.result).split(",", 2)[1] || "" });
    reader.onerror = () => reject(new Error(`Cannot read ${file.name}.`));
    reader.readAsDataURL(file);
  });
}

export function openSaveDialog(ctx, { item, groups, mode, onDone }) {
  const typed = (types) => types.flatMap((t) => (groups[t] || []).map((r) => ({ ...r, type: t })));
  const who = defaultWho(groups);
  const what = defaultWhat(groups);
  const whoList = typed(WHO_TYPES);
  const whatList = typed(WHAT_TYPES);
  const errors = h("div.errors");
  const subject = h("input", { name: "subject", value: item.subject, maxLength: 255 });
  const description = h("textarea", { name: "description", rows: 6, value: item.body_text.slice(0, MAX_DESCRIPTION) });
  const files = h("input", { type: "file", name: "attachments", multiple: true });
  const form = h("form.save-form", { method: "dialog" },
    h("h2", {}, TITLES[mode]),
    h("fieldset", {}, h("legend", {}, "Name"),
      whoList.length ? whoList.map((r) => choice("checkbox", "who", r, who.has(r.id)))
        : h("p.muted", {}, "No Contact or Lead found; create one or search first.")),
    h("fieldset", {}, h("legend", {}, "Related To"),
      h("label.choice", {}, h("input", { type: "radio", name: "what", value: "", checked: !what }), " None"),
      whatList.map((r) => choice("radio", "what", r, r.id === what))),
    mode === "email" ? h("fieldset", {}, h("legend", {}, "Email"),
      h("label", {}, "Subject", subject), h("label", {}, "Description", description),
      h("label", {}, "Attachments", files)) : null,
    errors,
    h("div.buttons", {},
      h("button", { type: "button", onclick: () => ctx.dialog.close() }, "Cancel"),
      h("button.primary", { type: "submit", id: "save-confirm" }, mode === "email" ? "Save" : "Save via sync")));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const whoIds = [...form.querySelectorAll("input[name=who]:checked")].map((i) => i.value);
    const whatId = form.querySelector("input[name=what]:checked")?.value || null;
    const problem = whoProblem(groups, whoIds);
    if (problem) return replace(errors, notice("error", problem));
    const button = form.querySelector("#save-confirm");
    button.disabled = true;
    try {
      const result = await submit(ctx, { item, mode, whoIds, whatId, subject, description, files });
      ctx.dialog.close();
      onDone(result);
    } catch (err) {
      replace(errors, notice("error", err.message));
      button.disabled = false;
    }
  });
  replace(ctx.dialog, form);
  ctx.dialog.showModal();
}

async function submit(ctx, { item, mode, whoIds, whatId, subject, description, files }) {
  if (mode === "meeting") {
    return (await ctx.api.post("/meeting-saves", { ical_uid: item.ical_uid, item_ref: item.message_ref,
      who_ids: whoIds, what_id: whatId })).data;
  }
  if (mode === "compose") {
    const marker = crypto.randomUUID();
    await ctx.host.markComposeForSave(marker);
    return (await ctx.api.post("/compose-saves", { message_id: item.message_id, marker,
      who_ids: whoIds, what_id: whatId })).data;
  }
  const chosen = [...files.files];
  if (chosen.reduce((n, f) => n + f.size, 0) > MAX_ATTACHMENT_BYTES) {
    throw new Error("Attachments over 10 MB in total cannot be saved from the sidebar.");
  }
  const attachments = await Promise.all(chosen.map(readFile));
  return (await ctx.api.post("/saved-emails", { item, who_ids: whoIds, what_id: whatId,
    subject: subject.value, description: description.value, attachments })).data;
}
