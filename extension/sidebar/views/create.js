// Create a Contact, Lead, Account, Opportunity or Case; a 409 lists possible duplicates,
// and the user either uses one of them or creates anyway (allow_duplicate: true).
import { h, notice, recordLink, replace } from "../dom.js";

// [field, label, required, input type]; "account" is a choice among the related Accounts.
const FIELDS = {
  Contact: [["FirstName", "First name"], ["LastName", "Last name", true], ["Email", "Email", false, "email"],
    ["Title", "Title"], ["Phone", "Phone", false, "tel"], ["AccountId", "Account", false, "account"]],
  Lead: [["FirstName", "First name"], ["LastName", "Last name", true], ["Company", "Company", true],
    ["Email", "Email", false, "email"], ["Title", "Title"], ["Phone", "Phone", false, "tel"]],
  Account: [["Name", "Account name", true], ["Website", "Website", false, "url"], ["Phone", "Phone", false, "tel"]],
  Opportunity: [["Name", "Opportunity name", true], ["StageName", "Stage", true], ["CloseDate", "Close date", true, "date"],
    ["AccountId", "Account", false, "account"]],
  Case: [["Subject", "Subject", true], ["Description", "Description", false, "textarea"], ["AccountId", "Account", false, "account"]],
};
const DEFAULTS = { Opportunity: { StageName: "Prospecting" } };

function fieldInput(name, kind, required, value, accounts) {
  if (kind === "account") {
    return h("select", { name }, h("option", { value: "" }, "—"),
      accounts.map((a) => h("option", { value: a.id, selected: a.id === value }, a.name)));
  }
  if (kind === "textarea") return h("textarea", { name, rows: 4, value: value || "" });
  return h("input", { name, type: kind || "text", required, value: value || "" });
}

export function openCreateDialog(ctx, { type, prefill, state, onCreated }) {
  const accounts = state.groups.Account || [];
  const typeSelect = h("select", { name: "type", id: "create-type" },
    Object.keys(FIELDS).map((t) => h("option", { value: t, selected: t === type }, t)));
  const fields = h("div.fields");
  const errors = h("div.errors");
  const drawFields = () => replace(fields, FIELDS[typeSelect.value].map(([name, label, required, kind]) =>
    h("label", {}, label + (required ? " *" : ""),
      fieldInput(name, kind, required, (prefill || {})[name] ?? (DEFAULTS[typeSelect.value] || {})[name], accounts))));
  typeSelect.addEventListener("change", drawFields);
  drawFields();
  const form = h("form.create-form", {},
    h("h2", {}, "New Salesforce record"), h("label", {}, "Type", typeSelect), fields, errors,
    h("div.buttons", {},
      h("button", { type: "button", onclick: () => ctx.dialog.close() }, "Cancel"),
      h("button.primary", { type: "submit", id: "create-confirm" }, "Create")));

  const send = async (allowDuplicate) => {
    const recordType = typeSelect.value;
    const values = {};
    for (const el of fields.querySelectorAll("[name]")) if (el.value.trim()) values[el.name] = el.value.trim();
    try {
      const { data } = await ctx.api.post(`/records/${recordType}`, { fields: values, allow_duplicate: allowDuplicate });
      ctx.dialog.close();
      onCreated({ type: recordType, id: data.id, url: data.url, name: displayName(recordType, values) });
    } catch (err) {
      const duplicates = err.status === 409 ? (err.errors && err.errors.duplicates) || [] : [];
      if (!duplicates.length) return replace(errors, notice("error", err.message));
      replace(errors, duplicateWarning(ctx, recordType, err.message, duplicates, onCreated, () => send(true)));
    }
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); send(false); });
  replace(ctx.dialog, form);
  ctx.dialog.showModal();
}

function displayName(type, values) {
  if (type === "Contact" || type === "Lead") return [values.FirstName, values.LastName].filter(Boolean).join(" ");
  return values.Name || values.Subject || type;
}

function duplicateWarning(ctx, type, message, duplicates, onCreated, createAnyway) {
  return h("div.duplicates", { id: "duplicate-warning", role: "alert" },
    h("p", {}, h("strong", {}, "Possible duplicate. "), message),
    h("ul", {}, duplicates.map((d) => h("li", {},
      recordLink(ctx, d.url, d.name || d.id), " ",
      h("button", { type: "button", className: "use-existing",
        onclick: () => { ctx.dialog.close(); onCreated({ type, id: d.id, url: d.url, name: d.name }); } }, "Use this one")))),
    h("button", { type: "button", id: "create-anyway", onclick: createAnyway }, "Create anyway"));
}
