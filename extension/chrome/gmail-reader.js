// Content script for mail.google.com: reads the open message from Gmail's page DOM and
// hands it to the Syncline panel on request. Gmail's markup is undocumented and changes, so
// every field degrades to null/[] on its own rather than failing the whole read.
// Gmail shows no RFC Message-ID in the page: message_ref is Gmail's own (hex) message id, the
// same id the Gmail API uses, which the server resolves to the Message-ID (extension/API.md).
(() => {
  const BLOCKS = new Set(["DIV", "P", "BR", "LI", "TR", "TABLE", "H1", "H2", "H3", "H4", "BLOCKQUOTE", "PRE"]);
  const SKIP = ".gmail_quote, .yj6qo, style, script"; // quoted history, the "…" toggle

  function person(el) {
    if (!el || !el.getAttribute("email")) return null;
    return { email: el.getAttribute("email").toLowerCase(), name: el.getAttribute("name") || el.textContent.trim() };
  }

  /** "#msg-f:1790..." / "thread-f:1790..." (decimal) → Gmail's hex API id. Other forms (e.g. a
   * just-sent "msg-a:r-…") carry no API id: null, rather than a number that names another message. */
  function hexId(permId) {
    const digits = String(permId || "").match(/^#?(?:msg|thread)-f:(\d{6,})$/);
    try { return digits ? BigInt(digits[1]).toString(16) : null; } catch { return null; }
  }

  /** Body text with line breaks at block elements, without the quoted history. */
  function bodyText(root) {
    if (!root) return "";
    let out = "";
    const walk = (node) => {
      if (node.nodeType === 3) { out += node.nodeValue.replace(/\s+/g, " "); return; }
      if (node.nodeType !== 1 || node.matches(SKIP)) return;
      const block = BLOCKS.has(node.tagName);
      if (block && !out.endsWith("\n")) out += "\n";
      node.childNodes.forEach(walk);
      if (block && node.tagName !== "BR" && !out.endsWith("\n")) out += "\n";
    };
    root.childNodes.forEach(walk);
    return out.split("\n").map((line) => line.trim()).join("\n").replace(/\n{3,}/g, "\n\n").trim();
  }

  /** To/Cc from the details table when Gmail rendered it; else every recipient counts as To. */
  function recipients(message) {
    const to = [];
    const cc = [];
    const rows = message.querySelectorAll("tr.ajv");
    for (const row of rows) {
      const label = (row.querySelector("td.gG")?.textContent || "").trim().toLowerCase();
      const people = [...row.querySelectorAll("td.gL [email]")].map(person).filter(Boolean);
      if (/^to\b/.test(label)) to.push(...people);
      else if (/^cc\b/.test(label)) cc.push(...people);
    }
    if (to.length || cc.length) return { to, cc };
    return { to: [...message.querySelectorAll(".hb [email], .g2[email]")].map(person).filter(Boolean), cc: [] };
  }

  function isoDate(message) {
    const title = message.querySelector(".g3[title]")?.getAttribute("title") || "";
    const time = Date.parse(title.replace(/\s+at\s+/, " ").replace(/\u202f/g, " "));
    return Number.isNaN(time) ? null : new Date(time).toISOString();
  }

  function unique(people) {
    const seen = new Set();
    return people.filter((p) => !seen.has(p.email) && seen.add(p.email));
  }

  function readOpenMessage(doc) {
    const expanded = [...doc.querySelectorAll("div.adn[data-message-id], div.adn[data-legacy-message-id]")]
      .filter((m) => m.querySelector("div.a3s"));
    const message = expanded[expanded.length - 1];
    if (!message) return null;
    const heading = doc.querySelector("h2.hP");
    const { to, cc } = recipients(message);
    return {
      kind: "email", mode: "read", message_id: null,
      message_ref: message.getAttribute("data-legacy-message-id") || hexId(message.getAttribute("data-message-id")),
      thread_id: heading?.getAttribute("data-legacy-thread-id") || hexId(heading?.getAttribute("data-thread-perm-id")),
      subject: heading ? heading.textContent.trim() : "",
      from: person(message.querySelector(".gD[email]")),
      to: unique(to), cc: unique(cc), attendees: [],
      date: isoDate(message),
      body_text: bodyText(message.querySelector("div.a3s")),
      ical_uid: null,
    };
  }

  globalThis.SynclineGmail = { readOpenMessage };

  if (!(globalThis.chrome && chrome.runtime && chrome.runtime.id)) return; // loaded by a test page
  chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    if (message && message.type === "syncline:read") sendResponse(readOpenMessage(document));
  });
  // Gmail swaps messages without page loads: tell the panel when the open message changes.
  let lastRef = null;
  let timer = null;
  new MutationObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const ref = readOpenMessage(document)?.message_ref || null;
      if (ref === lastRef) return;
      lastRef = ref;
      chrome.runtime.sendMessage({ type: "syncline:item-changed" }).catch(() => {}); // panel may be closed
    }, 400);
  }).observe(document.body, { childList: true, subtree: true });
})();
