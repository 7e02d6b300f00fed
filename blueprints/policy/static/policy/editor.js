/* The editor: one Markdown text per language with a sanitized preview, language tabs, and the
   errors the server reports per field. */
import { byId } from "../../../static/js/dom.js";
import { call, data, errorMessage, handledAuthFailure, setView, t } from "./page.js";

const PREVIEW_DELAY_MS = 250;
const previewTimers = {};
const previewSequence = {};
let textsLoaded = false;

export function textareas() {
  return Array.from(document.querySelectorAll("#editor-form textarea[data-locale]"));
}

function tabs() {
  return Array.from(document.querySelectorAll(".policy-tabs [role='tab']"));
}

export function startEditor() {
  setView("editor-form");
  if (!textsLoaded) {
    textsLoaded = true;
    loadCurrentTexts();
  }
}

/** Start from the texts of the version in force, where the maintainer has not typed yet. */
function loadCurrentTexts() {
  const origin = byId("editor-origin");
  origin.textContent = t("loadingCurrent");
  call(data.urls.current, { auth: false }).then((result) => {
    if (result.status !== 200 || !result.body) {
      origin.textContent = t("noCurrent");
      refreshAllPreviews();
      return null;
    }
    const number = result.body.number;
    return call(data.urls.versions + "/" + number, { auth: false }).then((detail) => {
      const texts = (detail.body && detail.body.texts) || {};
      textareas().forEach((area) => {
        if (!area.value && texts[area.dataset.locale]) area.value = texts[area.dataset.locale];
      });
      origin.textContent = t("startedFrom", { number });
      refreshAllPreviews();
    });
  });
}

export function schedulePreview(area) {
  const locale = area.dataset.locale;
  window.clearTimeout(previewTimers[locale]);
  previewTimers[locale] = window.setTimeout(() => refreshPreview(area), PREVIEW_DELAY_MS);
}

function refreshAllPreviews() {
  textareas().forEach(refreshPreview);
}

function refreshPreview(area) {
  const locale = area.dataset.locale;
  const target = byId("preview-" + locale);
  const sequence = (previewSequence[locale] || 0) + 1;
  previewSequence[locale] = sequence;
  if (!area.value.trim()) {
    target.textContent = t("previewEmpty");
    return;
  }
  call(data.urls.preview, { method: "POST", body: { markdown: area.value } }).then((result) => {
    if (sequence !== previewSequence[locale] || handledAuthFailure(result)) return;
    if (result.status === 200 && result.body && typeof result.body.html === "string") {
      // The server sanitized this HTML (no raw HTML, no javascript: links): never render anything else.
      target.innerHTML = result.body.html;
    } else {
      target.textContent = errorMessage(result, t("previewFailed"));
    }
  });
}

export function selectTab(tab, focus) {
  tabs().forEach((other) => {
    const selected = other === tab;
    other.setAttribute("aria-selected", selected ? "true" : "false");
    other.tabIndex = selected ? 0 : -1;
    byId(other.getAttribute("aria-controls")).hidden = !selected;
  });
  if (focus) tab.focus();
}

export function onTabKey(event) {
  const all = tabs();
  const index = all.indexOf(event.currentTarget);
  let step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (document.documentElement.dir === "rtl" && step) step = -step;
  let next = null;
  if (step) next = all[(index + step + all.length) % all.length];
  else if (event.key === "Home") next = all[0];
  else if (event.key === "End") next = all[all.length - 1];
  if (next) {
    event.preventDefault();
    selectTab(next, true);
  }
}

export function clearFieldErrors() {
  document.querySelectorAll("[data-error-for]").forEach((element) => {
    element.textContent = "";
    element.hidden = true;
  });
  tabs().forEach((tab) => tab.classList.remove("has-error"));
}

export function showFieldErrors(fields) {
  let firstTab = null;
  Object.keys(fields || {}).forEach((field) => {
    const element = document.querySelector("[data-error-for='" + field.replace(/'/g, "") + "']");
    if (element) {
      element.textContent = fields[field].message;
      element.hidden = false;
    }
    const locale = /^(texts|summaries)\.(.+)$/.exec(field);
    if (locale) {
      const tab = byId("tab-" + locale[2]);
      if (tab) {
        tab.classList.add("has-error");
        firstTab = firstTab || tab;
      }
    }
  });
  if (firstTab) selectTab(firstTab, false);
}
