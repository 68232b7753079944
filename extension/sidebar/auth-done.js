// Passes the token from the URL fragment to the task pane that opened this dialog.
(function () {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const message = JSON.stringify({ token: fragment.get("token"), error: fragment.get("error_description") || fragment.get("error") });
  history.replaceState(null, "", location.pathname);
  if (window.Office) Office.onReady(() => Office.context.ui.messageParent(message));
  else document.getElementById("status").textContent = "Signed in; you can close this window.";
})();
