// The "web" host: the sidebar in a plain browser tab or iframe. The item arrives in the URL
// fragment (#item=<base64url JSON>) or by postMessage({type: "syncline:item", item}) from a
// same-origin page; the token after sign-in arrives as #token=... and lives in localStorage.

const TOKEN_KEY = "syncline.token";

export function decodeItemParam(value) {
  const b64 = value.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

export function createHost() {
  let item = null;
  const listeners = [];
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get("item")) item = decodeItemParam(fragment.get("item"));
  if (fragment.get("token")) localStorage.setItem(TOKEN_KEY, fragment.get("token"));
  if (fragment.has("token")) {
    fragment.delete("token"); // never leave a token in the address bar or history
    history.replaceState(null, "", location.pathname + location.search + (fragment.size ? `#${fragment}` : ""));
  }

  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin) return; // only pages we serve may inject an item
    if (!event.data || event.data.type !== "syncline:item") return;
    item = event.data.item;
    listeners.forEach((cb) => cb());
  });

  return {
    name: "web",
    async getCurrentItem() { return item; },
    onItemChanged(callback) { listeners.push(callback); },
    async getToken() { return localStorage.getItem(TOKEN_KEY); },
    async setToken(token) {
      if (token) localStorage.setItem(TOKEN_KEY, token);
      else localStorage.removeItem(TOKEN_KEY);
    },
    async signIn(loginUrlFor) {
      location.assign(loginUrlFor(location.origin + location.pathname + location.search));
      return new Promise(() => {}); // the page navigates away and comes back with #token=
    },
    openUrl(url) { window.open(url, "_blank", "noopener,noreferrer"); },
    async markComposeForSave() {},
  };
}
