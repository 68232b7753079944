// Sign in with Salesforce through the API; the host brings the token back.
import { h, notice, replace } from "../dom.js";

export function renderSignIn(ctx, el, message, onSignedIn) {
  const status = h("div.status");
  const button = h("button.primary", {
    type: "button", id: "sign-in",
    onclick: async () => {
      button.disabled = true;
      replace(status, notice("info", "Waiting for Salesforce…"));
      try {
        const token = await ctx.host.signIn((returnTo) => ctx.api.loginUrl(returnTo));
        await ctx.host.setToken(token);
        onSignedIn();
      } catch (err) {
        replace(status, notice("error", err.message || "Sign-in did not finish."));
        button.disabled = false;
      }
    },
  }, "Sign in with Salesforce");
  replace(el, h("section.signin", {},
    h("h1", {}, "Connect to Salesforce"),
    h("p", {}, "Sign in once; the sidebar then finds the Salesforce records behind each email."),
    message ? notice("info", message) : null,
    button, status));
}
