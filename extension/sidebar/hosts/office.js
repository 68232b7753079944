// The Outlook host (Office.js task pane, outlook.html). Reads the current message or
// meeting through Office.context.mailbox.item, in Read or Compose mode; "save when sent"
// tags the draft with an X-Syncline-Save internet header the sync engine looks for.

const TOKEN_KEY = "syncline.token";
export const SAVE_HEADER = "X-Syncline-Save";

function call(fn) {
  return new Promise((resolve, reject) => fn((result) => {
    if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
    else reject(new Error((result.error && result.error.message) || "Outlook refused the request."));
  }));
}

const person = (p) => (p ? { email: p.emailAddress, name: p.displayName } : null);
const people = (list) => (list || []).map(person);

function restId(mailbox, item) {
  if (!item.itemId) return null;
  try {
    return mailbox.convertToRestId(item.itemId, Office.MailboxEnums.RestVersion.v2_0);
  } catch {
    return item.itemId;
  }
}

const isoDate = (d) => (d instanceof Date ? d.toISOString() : d || null);

async function readItem(mailbox, item) {
  const meeting = item.itemType === Office.MailboxEnums.ItemType.Appointment;
  const base = { kind: meeting ? "meeting" : "email", message_ref: restId(mailbox, item),
    thread_id: item.conversationId || null, ical_uid: null };
  const body = await call((cb) => item.body.getAsync(Office.CoercionType.Text, cb)).catch(() => "");
  if (typeof item.subject === "string") { // Read mode: plain properties
    return { ...base, mode: "read", subject: item.subject, body_text: body,
      message_id: item.internetMessageId || null,
      from: person(meeting ? item.organizer : item.from),
      to: meeting ? [] : people(item.to), cc: meeting ? [] : people(item.cc),
      attendees: meeting ? [...people(item.requiredAttendees), ...people(item.optionalAttendees)] : [],
      date: isoDate(meeting ? item.start : item.dateTimeCreated) };
  }
  const get = (prop) => (prop && prop.getAsync ? call((cb) => prop.getAsync(cb)).catch(() => null) : null);
  const [subject, to, cc, required, optional, from] = await Promise.all(
    [item.subject, item.to, item.cc, item.requiredAttendees, item.optionalAttendees, item.from].map(get));
  return { ...base, mode: "compose", subject: subject || "", body_text: body, message_id: null,
    from: person(from), to: people(to), cc: people(cc),
    attendees: [...people(required), ...people(optional)], date: new Date().toISOString() };
}

export async function createHost() {
  await Office.onReady();
  const mailbox = Office.context.mailbox;
  return {
    name: "office",
    async getCurrentItem() { return mailbox.item ? readItem(mailbox, mailbox.item) : null; },
    onItemChanged(callback) { // a pinned task pane stays open while the user moves on
      if (mailbox.addHandlerAsync) mailbox.addHandlerAsync(Office.EventType.ItemChanged, () => callback());
    },
    async getToken() { return localStorage.getItem(TOKEN_KEY); },
    async setToken(token) {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    },
    signIn(loginUrlFor) {
      const url = loginUrlFor(new URL("auth-done.html", location.href).href);
      return call((cb) => Office.context.ui.displayDialogAsync(url, { height: 60, width: 30 }, cb))
        .then((dialog) => new Promise((resolve, reject) => {
          dialog.addEventHandler(Office.EventType.DialogMessageReceived, (arg) => {
            dialog.close();
            const message = JSON.parse(arg.message);
            if (message.token) resolve(message.token);
            else reject(new Error(message.error || "Sign-in did not return a token."));
          });
          dialog.addEventHandler(Office.EventType.DialogEventReceived, () => reject(new Error("The sign-in window was closed.")));
        }));
    },
    openUrl(url) {
      if (Office.context.ui.openBrowserWindow) Office.context.ui.openBrowserWindow(url);
      else window.open(url, "_blank", "noopener,noreferrer");
    },
    async markComposeForSave(marker) {
      const item = mailbox.item;
      if (!item.internetHeaders || !Office.context.requirements.isSetSupported("Mailbox", "1.8")) {
        throw new Error("This version of Outlook cannot mark a draft; save the email from Sent Items instead.");
      }
      await call((cb) => item.internetHeaders.setAsync({ [SAVE_HEADER]: marker }, cb));
    },
  };
}
