/* Maintainer publishing page: sign in, write per-language Markdown with a sanitized preview,
   review the differences with the version in force, then publish after confirmation.
   Every visible string comes from the server's catalogs through #policy-publish-data. */
import { byId } from "../../../static/js/dom.js";
import { startConflict } from "./conflict.js";
import { onTabKey, schedulePreview, selectTab, startEditor, textareas } from "./editor.js";
import { call, clearToken, data, errorMessage, readToken, setStatus, setView, showSignIn, storeToken, t } from "./page.js";
import { publish, review } from "./review.js";

function signIn(event) {
  event.preventDefault();
  const errorElement = byId("signin-error");
  errorElement.hidden = true;
  setStatus(t("signingIn"));
  const body = { username: byId("signin-username").value.trim(), password: byId("signin-password").value };
  call(data.urls.token, { method: "POST", auth: false, body }).then((result) => {
    setStatus("");
    if (result.status !== 200 || !result.body || !result.body.token) {
      errorElement.textContent = errorMessage(result, t("signInFailed"));
      errorElement.hidden = false;
      return;
    }
    byId("signin-password").value = "";
    storeToken(result.body.token);
    if ((result.body.roles || []).indexOf("maintainer") === -1) {
      setView("publish-forbidden");
      return;
    }
    startEditor();
  });
}

function signOut() {
  if (readToken()) call(data.urls.token, { method: "DELETE" });
  clearToken();
  showSignIn("");
}

function start() {
  byId("signin-form").addEventListener("submit", signIn);
  byId("editor-form").addEventListener("submit", review);
  byId("confirm-publish").addEventListener("click", publish);
  startConflict();
  byId("back-to-editor").addEventListener("click", () => {
    setView("editor-form");
    setStatus("");
  });
  document.querySelectorAll("[data-action='sign-out']").forEach((button) => button.addEventListener("click", signOut));
  document.querySelectorAll(".policy-tabs [role='tab']").forEach((tab) => {
    tab.addEventListener("click", () => selectTab(tab, false));
    tab.addEventListener("keydown", onTabKey);
  });
  textareas().forEach((area) => area.addEventListener("input", () => schedulePreview(area)));
  if (readToken()) startEditor(); else showSignIn("");
}

if (data) start();
