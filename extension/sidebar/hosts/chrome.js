// The Chrome extension host (side panel or extension tab). The open Gmail message comes
// from the content script (gmail-reader.js) of the Gmail tab; the token lives in
// chrome.storage.local; sign-in goes through chrome.identity.launchWebAuthFlow.

const TOKEN_KEY = "token";
const GMAIL = "https://mail.google.com/*";

/** The Gmail tab the panel belongs to: active in this window, else any active, else latest. */
async function gmailTab() {
  const tabs = await chrome.tabs.query({ url: GMAIL });
  if (!tabs.length) return null;
  const here = await chrome.windows.getCurrent().catch(() => null);
  return tabs.find((t) => t.active && here && t.windowId === here.id)
    || tabs.find((t) => t.active)
    || tabs.sort((a, b) => (b.lastAccessed || 0) - (a.lastAccessed || 0))[0];
}

export function tokenFromRedirect(responseUrl) {
  const fragment = new URLSearchParams(new URL(responseUrl).hash.slice(1));
  if (fragment.get("token")) return fragment.get("token");
  throw new Error(fragment.get("error_description") || fragment.get("error") || "Sign-in did not return a token.");
}

export function createHost() {
  return {
    name: "chrome",
    async getCurrentItem() {
      const tab = await gmailTab();
      if (!tab) return null;
      try {
        return await chrome.tabs.sendMessage(tab.id, { type: "syncline:read" });
      } catch {
        return null; // Gmail tab opened before the extension was installed: no content script yet
      }
    },
    onItemChanged(callback) {
      chrome.runtime.onMessage.addListener((message) => {
        if (message && message.type === "syncline:item-changed") callback();
      });
      chrome.tabs.onActivated.addListener(() => callback());
    },
    async getToken() { return (await chrome.storage.local.get(TOKEN_KEY))[TOKEN_KEY] || null; },
    async setToken(token) {
      if (token) await chrome.storage.local.set({ [TOKEN_KEY]: token });
      else await chrome.storage.local.remove(TOKEN_KEY);
    },
    async signIn(loginUrlFor) {
      const url = loginUrlFor(chrome.identity.getRedirectURL("syncline"));
      const responseUrl = await chrome.identity.launchWebAuthFlow({ url, interactive: true });
      return tokenFromRedirect(responseUrl);
    },
    openUrl(url) { chrome.tabs.create({ url }); },
    async markComposeForSave() {
      throw new Error("Save when sent is not available in Gmail yet; save the email from Sent mail.");
    },
  };
}
