// Bootstrap: pick the host, sign in if needed, then show one view at a time.
import { config } from "./config.js";
import { ApiClient, ApiError } from "./api.js";
import { loadHost } from "./host.js";
import { h, notice, replace } from "./dom.js";
import { renderSignIn } from "./views/signin.js";
import { renderItem } from "./views/item.js";
import { renderDashboard } from "./views/dashboard.js";
import { renderSettings } from "./views/settings.js";

const VIEWS = { item: renderItem, dashboard: renderDashboard, settings: renderSettings };

function setupNav(ctx) {
  const nav = document.getElementById("nav");
  for (const button of nav.querySelectorAll("button[data-view]")) {
    button.addEventListener("click", () => ctx.show(button.dataset.view));
  }
}

async function start(ctx) {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!(await ctx.host.getToken())) return showSignIn(ctx);
  try {
    ctx.me = await ctx.api.get("/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      await ctx.host.setToken(null);
      return showSignIn(ctx, err.message);
    }
    return replace(ctx.view, notice("error", err.message));
  }
  nav.hidden = false;
  replace(who, h("span", {}, ctx.me.name || ctx.me.email), " ",
    h("button.link", { type: "button", onclick: () => signOut(ctx) }, "Sign out"));
  return ctx.show(initialView());
}

/** `#view=dashboard` opens the Sync page (the link `syncline up` prints); the Email view otherwise. */
function initialView() {
  const wanted = new URLSearchParams(location.hash.slice(1)).get("view");
  return Object.hasOwn(VIEWS, wanted || "") ? wanted : "item";
}

function showSignIn(ctx, message) {
  document.getElementById("nav").hidden = true;
  replace(document.getElementById("who"));
  renderSignIn(ctx, ctx.view, message, () => start(ctx));
}

async function signOut(ctx) {
  await ctx.host.setToken(null);
  ctx.me = null;
  showSignIn(ctx, "You are signed out.");
}

async function main() {
  const view = document.getElementById("view");
  let host;
  try {
    host = await loadHost(config);
  } catch (err) {
    replace(view, notice("error", err.message));
    return;
  }
  const ctx = {
    host, view, me: null, current: null,
    api: new ApiClient(config.apiBase, () => host.getToken()),
    dialog: document.getElementById("dialog"),
    async show(name) {
      ctx.current = name;
      for (const b of document.querySelectorAll("#nav button")) {
        b.setAttribute("aria-current", b.dataset.view === name ? "page" : "false");
      }
      document.body.dataset.view = name;
      await VIEWS[name](ctx, view);
    },
  };
  setupNav(ctx);
  host.onItemChanged(() => { if (ctx.me && ctx.current === "item") ctx.show("item"); });
  window.synclineSidebar = ctx; // for debugging and the browser tests
  await start(ctx);
}

main();
