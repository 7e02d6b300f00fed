/* The publishing page's data, views, status line and authenticated API calls. The page signs in
   with the core's token API and keeps the token where the console keeps it (data.tokenKey). */
import { byId } from "../../../static/js/dom.js";
import { api, apiError } from "../../../static/js/http.js";
import { translator } from "../../../static/js/i18n.js";
import { session } from "../../../static/js/storage.js";

const VIEWS = ["signin-form", "publish-forbidden", "editor-form", "review", "published"];

const dataElement = byId("policy-publish-data");
export const data = dataElement ? JSON.parse(dataElement.textContent) : null;
export const t = translator(data ? data.strings : {});

export const readToken = () => session.get(data.tokenKey);
export const storeToken = (token) => session.set(data.tokenKey, token);
export const clearToken = () => session.remove(data.tokenKey);

/** Call the API, with the bearer token unless options.auth is false. */
export function call(url, options = {}) {
  return api(url, { ...options, token: options.auth === false ? null : readToken() });
}

export function errorMessage(result, fallback) {
  return result.status === 0 ? t("networkError") : apiError(result, fallback);
}

export function setView(name) {
  VIEWS.forEach((id) => { byId(id).hidden = id !== name; });
}

export function setStatus(message, warn) {
  const element = byId("publish-status");
  element.textContent = message || "";
  element.hidden = !message;
  element.classList.toggle("warn", Boolean(warn));
}

export function showSignIn(message) {
  setView("signin-form");
  setStatus(message || "", Boolean(message));
  byId("signin-username").focus();
}

/** Return true when the answer means "sign in again" or "not a maintainer" (and show it). */
export function handledAuthFailure(result) {
  if (result.status === 401) {
    clearToken();
    showSignIn(t("sessionEnded"));
    return true;
  }
  if (result.status === 403) {
    setView("publish-forbidden");
    return true;
  }
  return false;
}
