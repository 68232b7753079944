// Service worker: the toolbar button opens the Syncline side panel. The panel talks to the
// Gmail tab's content script directly, so nothing else needs to live here.

function openPanelOnClick() {
  chrome.sidePanel.setPanelBehavior({ openPanelOnActionClick: true }).catch((err) => console.error(err));
}

chrome.runtime.onInstalled.addListener(openPanelOnClick);
chrome.runtime.onStartup.addListener(openPanelOnClick);
