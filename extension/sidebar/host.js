// The host adapter interface: what the sidebar needs from the mail client it runs in.
//
// Every host module exports `createHost(config)` returning an object with:
//   name                      "web" | "chrome" | "office"
//   getCurrentItem()          → Promise<Item|null>   (null: no message or meeting is open)
//   onItemChanged(callback)   the user opened another item; callback() re-reads it
//   getToken() / setToken(t)  → the Syncline API token (Bearer); setToken(null) signs out
//   signIn(loginUrlFor)       → Promise<string> token; loginUrlFor(returnTo) builds the
//                             API's Salesforce login URL that ends at returnTo#token=...
//   openUrl(url)              opens a Salesforce record outside the sidebar
//   markComposeForSave(id)    (compose mode only) tags the draft so the sync engine can
//                             find it once sent; → Promise<void>
//
// Item (all keys present; unknown values are null or []):
//   { kind: "email"|"meeting", mode: "read"|"compose",
//     message_id,      RFC 5322 Message-ID ("<...@...>") when the host can see it
//     message_ref,     the provider's own id (Gmail message id, Outlook REST item id)
//     thread_id,       the provider's thread / conversation id
//     subject, from: {email, name}, to: [{email, name}], cc: [...], attendees: [...],
//     date (ISO 8601), body_text, ical_uid }

const EMPTY_ITEM = {
  kind: "email", mode: "read", message_id: null, message_ref: null, thread_id: null,
  subject: "", from: null, to: [], cc: [], attendees: [], date: null, body_text: "", ical_uid: null,
};

function person(p) {
  if (!p) return null;
  if (typeof p === "string") return { email: p.trim().toLowerCase(), name: "" };
  return { email: String(p.email || "").trim().toLowerCase(), name: String(p.name || "").trim() };
}

/** Fills defaults and normalises addresses so every host hands over the same shape. */
export function normaliseItem(raw) {
  if (!raw) return null;
  const item = { ...EMPTY_ITEM, ...raw };
  item.from = person(item.from);
  for (const key of ["to", "cc", "attendees"]) {
    item[key] = (Array.isArray(item[key]) ? item[key] : []).map(person).filter((p) => p && p.email);
  }
  item.kind = item.kind === "meeting" ? "meeting" : "email";
  item.mode = item.mode === "compose" ? "compose" : "read";
  item.subject = String(item.subject || "");
  item.body_text = String(item.body_text || "");
  return item;
}

/** The host: `?host=`, else <html data-host> (outlook.html), else chrome/web by origin. */
export async function loadHost(config, search = location.search) {
  const name = new URLSearchParams(search).get("host") || document.documentElement.dataset.host
    || (location.protocol === "chrome-extension:" ? "chrome" : "web");
  const modules = {
    web: () => import("./hosts/web.js"),
    chrome: () => import("./hosts/chrome.js"),
    office: () => import("./hosts/office.js"),
  };
  if (!modules[name]) throw new Error(`Unknown host "${name}".`);
  return (await modules[name]()).createHost(config);
}
