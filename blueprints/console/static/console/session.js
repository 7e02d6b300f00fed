/* Signing in and out with the core's token API (its URL and storage key come from the page). The bearer token lives in
   sessionStorage only, with the drafts and the open conversation of this tab. */
import { api, apiError } from "../../../static/js/http.js";
import { session } from "../../../static/js/storage.js";
import { showConversation } from "./conversation.js";
import { connect } from "./link.js";
import { renderNotifyButton, renderPresenceDot } from "./notify.js";
import { renderQueue } from "./queue.js";
import { baseTitle, el, state, t, tokenKey, tokenUrl } from "./state.js";

const KEY_PROFILE = "clipai.console.profile";
const KEY_DRAFTS = "clipai.console.drafts";
export const KEY_CURRENT = "clipai.console.current";
export const KEY_PRESENCE = "clipai.console.presence";

export function restoreSession() {
  state.token = session.get(tokenKey);
  state.profile = session.load(KEY_PROFILE, null);
  state.drafts = session.load(KEY_DRAFTS, {}) || {};
}

export function saveProfile() {
  session.save(KEY_PROFILE, state.profile);
}

export function saveDraft(id, text) {
  if (id === null) return;
  if (text) state.drafts[id] = text; else delete state.drafts[id];
  session.save(KEY_DRAFTS, state.drafts);
}

export function showSignIn(notice) {
  el.app.hidden = true;
  el.signin.hidden = false;
  el.signinNotice.hidden = !notice;
  el.signinNotice.textContent = notice || "";
  document.title = baseTitle;
  (el.username.value ? el.password : el.username).focus();
}

export function showApp() {
  el.signin.hidden = true;
  el.app.hidden = false;
  const profile = state.profile || {};
  el.whoami.textContent = profile.alias || profile.username ? t("signed_in_as", { name: profile.alias || profile.username }) : "";
  el.policyLink.hidden = !(profile.roles || []).includes("maintainer");
  el.presence.value = session.load(KEY_PRESENCE, "online");
  renderPresenceDot();
  renderNotifyButton();
}

/** Put the focus on the queue's selected tab (after signing in it would otherwise fall to <body>). */
function focusQueue() {
  const selected = el.tabs.querySelector('[aria-selected="true"]');
  if (selected) selected.focus();
}

export function signIn(username, password) {
  el.signinSubmit.disabled = true;
  el.signinSubmit.textContent = t("signing_in");
  return api(tokenUrl, { method: "POST", body: { username, password } }).then((result) => {
    const body = result.body || {};
    if (result.status === 0) throw new Error(t("network_error"));
    if (result.status < 200 || result.status > 299 || !body.token) throw new Error(apiError(result, t("sign_in_failed")));
    state.token = body.token;
    state.profile = { username: body.username || username, alias: body.alias || "", roles: body.roles || [] };
    session.set(tokenKey, state.token);
    saveProfile();
    el.password.value = "";
    showApp();
    focusQueue();
    connect();
  }).catch((error) => {
    el.signinNotice.hidden = false;
    el.signinNotice.textContent = error.message;
    el.password.focus();
  }).finally(() => {
    el.signinSubmit.disabled = false;
    el.signinSubmit.textContent = t("sign_in");
  });
}

export function signOut() {
  // The token expires on its own if the revocation does not get through.
  if (state.token) api(tokenUrl, { method: "DELETE", token: state.token });
  forgetSession();
  // A deliberate sign-out leaves nothing of the conversations behind in this tab.
  state.drafts = {};
  session.remove(KEY_DRAFTS);
  session.remove(KEY_CURRENT);
  resetView();
  showSignIn();
}

function forgetSession() {
  state.token = null;
  session.remove(tokenKey);
  session.remove(KEY_PROFILE);
  if (state.socket) {
    state.socket.off();
    state.socket.disconnect();
    state.socket = null;
  }
}

export function sessionExpired() {
  // Keep drafts and the open conversation: the operator picks up where they were.
  saveDraft(state.currentId, el.reply.value);
  session.save(KEY_CURRENT, state.currentId);
  forgetSession();
  showSignIn(t("session_ended"));
}

function resetView() {
  state.conversations.clear();
  state.history.clear();
  state.unread.clear();
  state.currentId = null;
  state.searchResults = null;
  el.reply.value = "";
  showConversation(null);
  renderQueue();
}
