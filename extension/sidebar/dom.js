// Building DOM without HTML strings: every piece of server text goes in as textContent.
// Nothing in the sidebar parses HTML (no innerHTML anywhere); keep it that way.
/**
 * h("button.primary", {onclick, type: "button"}, "Save") → <button class="primary">Save</button>
 * Children may be strings (become text nodes), nodes, arrays, or null/false (skipped).
 */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "className") el.className = [el.className, value].filter(Boolean).join(" ");
    else if (key === "value" || (key in el && typeof value !== "string")) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A status line: kind is "info" | "ok" | "error". */
export function notice(kind, text) {
  return h(`p.notice.${kind}`, { role: kind === "error" ? "alert" : "status" }, text);
}

export function formatDate(value) {
  if (!value) return "—";
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleString();
}

/** Record links come from the server: only http(s) URLs become links (no javascript:). */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link that opens through the host (a new tab, or Outlook's browser). */
export function recordLink(ctx, url, text, cls = "record-link") {
  const href = safeUrl(url);
  if (!href) return h("span", { className: cls }, text);
  return h("a", {
    className: cls, href, target: "_blank", rel: "noopener noreferrer",
    onclick: (event) => { event.preventDefault(); ctx.host.openUrl(href); },
  }, text);
}
