// Sync dashboard: my mailbox's state, recent sessions with per-item errors, and the
// force-sync / suspend / resume buttons.
import { ApiError } from "../api.js";
import { formatDate, h, notice, replace } from "../dom.js";

const AREAS = ["calendar", "tasks", "contacts", "mail"];
const COUNTS = ["created", "updated", "deleted", "skipped", "failed"];

export async function renderDashboard(ctx, el) {
  replace(el, notice("info", "Loading the sync dashboard…"));
  let data;
  try {
    data = await ctx.api.get("/mailboxes/mine/dashboard");
  } catch (err) {
    const text = err instanceof ApiError && err.status === 404
      ? "No mailbox is connected to Syncline for you yet; ask your Syncline admin." : err.message;
    replace(el, h("section.dashboard", {}, h("h1", {}, "Sync"), notice(err.status === 404 ? "info" : "error", text)));
    return;
  }
  const status = h("div.status", { id: "dashboard-status" });
  const { mailbox } = data;
  const act = (label, path, message, id) => h("button", { type: "button", id, onclick: async (event) => {
    event.target.disabled = true;
    try {
      await ctx.api.post(`/mailboxes/${encodeURIComponent(mailbox.id)}/${path}`);
      if (path === "sync") replace(status, notice("ok", message));
      else await renderDashboard(ctx, el).then(() => replace(el.querySelector(".status"), notice("ok", message)));
    } catch (err) {
      replace(status, notice("error", err.message));
    }
    event.target.disabled = false;
  } }, label);
  const suspended = mailbox.status === "suspended";
  replace(el, h("section.dashboard", {},
    h("h1", {}, "Sync"),
    h("dl.facts", {},
      h("dt", {}, "Mailbox"), h("dd", {}, mailbox.address),
      h("dt", {}, "State"), h("dd", { id: "mailbox-state" }, h("span.badge", { dataset: { state: mailbox.status } }, mailbox.status),
        mailbox.status_reason ? ` — ${mailbox.status_reason}` : ""),
      h("dt", {}, "Folders"), h("dd", { id: "folders" }, foldersLine(data.folders)),
      h("dt", {}, "Last sync"), h("dd", {}, formatDate(mailbox.last_sync_at)),
      h("dt", {}, "Next run"), h("dd", { id: "next-run" }, suspended ? "suspended" : formatDate(mailbox.next_sync_at))),
    data.progress ? progress(data.progress) : null,
    data.salesforce_changes && !data.salesforce_changes.receiving
      ? h("div", { id: "salesforce-changes" }, notice("error", data.salesforce_changes.reason)) : null,
    h("div.buttons", {},
      act("Sync now", "sync", "Sync requested; it starts within a minute.", "force-sync"),
      suspended ? act("Resume", "resume", "Sync resumed.", "resume-sync")
        : act("Suspend", "suspend", "Sync suspended until you resume it.", "suspend-sync")),
    status,
    h("h2", {}, "Recent sessions"),
    data.sessions.length ? h("ol.sessions", { id: "sessions" }, data.sessions.map(session))
      : h("p.muted", {}, "No sync has run yet.")));
}

function progress(p) {
  return h("p.progress", { id: "progress" }, "Running now: ",
    Object.entries(p).map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", "));
}

// Which kinds sync; a kind the mail server does not offer is a fact, not an error.
function foldersLine(folders) {
  return AREAS.filter((a) => folders && folders[a]).map((area) => `${area}: ${folders[area].state}`).join(" · ")
    || "—";
}

function countsLine(counts) {
  return AREAS.filter((a) => counts && counts[a]).map((area) => {
    if (counts[area].unavailable) return `${area}: not available on this server`;
    const parts = COUNTS.filter((c) => counts[area][c]).map((c) => `${counts[area][c]} ${c}`);
    return `${area}: ${parts.length ? parts.join(", ") : "no changes"}`;
  }).join(" · ");
}

function session(s) {
  return h("li.session", { dataset: { status: s.status } },
    h("div", {}, h("span.badge", { dataset: { state: s.status } }, s.status), " ",
      formatDate(s.started_at), s.finished_at ? ` → ${formatDate(s.finished_at)}` : " (running)"),
    h("div.counts", {}, s.checked_only ? "checked, nothing changed" : (countsLine(s.counts) || "no changes")),
    (s.errors || []).length ? h("ul.errors", {}, s.errors.map((e) =>
      h("li.error-item", {}, h("strong", {}, e.kind), ` ${e.item}: `, e.reason))) : null);
}
