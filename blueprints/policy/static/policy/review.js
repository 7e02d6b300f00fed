/* Review and publish: the draft, the differences with the version in force, and publishing
   after confirmation. */
import { byId } from "../../../static/js/dom.js";
import { formatInstant, formatList } from "../../../static/js/format.js";
import { hideConflict, showConflict } from "./conflict.js";
import { clearFieldErrors, showFieldErrors, textareas } from "./editor.js";
import { call, data, errorMessage, handledAuthFailure, setStatus, setView, t } from "./page.js";

let pendingDraft = null;

function collectDraft() {
  const texts = {};
  textareas().forEach((area) => {
    if (area.value.trim()) texts[area.dataset.locale] = area.value;
  });
  const local = byId("policy-effective-from").value;
  let effective = null;
  if (local) {
    const instant = new Date(local);
    if (isNaN(instant.getTime())) {
      showFieldErrors({ effective_from: { message: t("invalidDate") } });
      return null;
    }
    effective = instant;
  }
  const summary = byId("policy-summary").value;
  const summaries = {};
  document.querySelectorAll("[data-summary-locale]").forEach((input) => {
    if (input.value.trim()) summaries[input.dataset.summaryLocale] = input.value;
  });
  return {
    texts, summary, effective,
    body: { texts, summary, summaries, effective_from: effective ? effective.toISOString() : null }
  };
}

function describeInstant(instant) {
  return instant ? formatInstant(document.documentElement.lang, instant) : t("effectiveNow");
}

function languageName(locale) {
  const tab = byId("tab-" + locale);
  return tab ? tab.dataset.name : locale;
}

function diffSection(entry) {
  const section = document.createElement("section");
  section.className = "policy-review-locale";
  const heading = document.createElement("h3");
  heading.textContent = languageName(entry.locale) + " · " + (entry.outdated ? t("notUpdated") : entry.label);
  section.appendChild(heading);
  if (entry.outdated) {
    const warning = document.createElement("p");
    warning.className = "notice warn policy-outdated";
    warning.textContent = t("outdatedOne");
    section.appendChild(warning);
  }
  if (entry.status === "unchanged") return section;
  const body = document.createElement("div");
  body.className = "policy-diff";
  body.lang = entry.locale;
  body.dir = byId("text-" + entry.locale) ? byId("text-" + entry.locale).dir : "auto";
  // Built by the server from escaped text plus <ins>/<del> only.
  body.innerHTML = entry.html;
  section.appendChild(body);
  return section;
}

function renderReview(draft, diff) {
  byId("review-summary").textContent = draft.summary;
  byId("review-effective").textContent = describeInstant(draft.effective);
  byId("review-base").textContent = diff.base
    ? t("comparedWith", { number: diff.base.number })
    : t("comparedWithNothing");
  const outdated = byId("review-outdated");
  const names = (diff.outdated_locales || []).map(languageName);
  outdated.textContent = names.length ? t(names.length === 1 ? "outdatedSummaryOne" : "outdatedSummary",
    { languages: formatList(document.documentElement.lang, names) }) : "";
  outdated.hidden = !names.length;
  const container = byId("review-diff");
  container.textContent = "";
  diff.locales.forEach((entry) => container.appendChild(diffSection(entry)));
}

export function review(event) {
  event.preventDefault();
  clearFieldErrors();
  setStatus("");
  const draft = collectDraft();
  if (!draft) return;
  setStatus(t("reviewing"));
  call(data.urls.diff, { method: "POST", body: { texts: draft.texts } }).then((result) => {
    if (handledAuthFailure(result)) return;
    if (result.status !== 200 || !result.body) {
      setStatus(errorMessage(result, t("networkError")), true);
      return;
    }
    setStatus("");
    pendingDraft = draft;
    hideConflict();
    renderReview(draft, result.body);
    setView("review");
    byId("review-heading").focus();
  });
}

export function publish() {
  if (!pendingDraft) return;
  const button = byId("confirm-publish");
  button.disabled = true;
  setStatus(t("publishing"));
  call(data.urls.versions, { method: "POST", body: pendingDraft.body }).then((result) => {
    button.disabled = false;
    if (handledAuthFailure(result)) return;
    if (result.status === 201 && result.body) {
      setStatus("");
      pendingDraft = null;
      byId("published-message").textContent = t("published", { number: result.body.number });
      byId("published-link").href = data.urls.versionPage + "/" + result.body.number;
      setView("published");
      return;
    }
    const error = result.body && result.body.error;
    if (result.status === 409 && error && error.code === "scheduled_version_pending" && error.scheduled) {
      showConflict(error);
      return;
    }
    setView("editor-form");
    showFieldErrors(result.body && result.body.error && result.body.error.fields);
    setStatus(errorMessage(result, t("fixFields")), true);
  });
}
