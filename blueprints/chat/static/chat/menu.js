/* The widget's menu, there once a conversation exists: the resume code and a resume link (the
   code travels in the URL fragment, which browsers never send to a server), each with a Copy
   button; a copy of the conversation as a file; keeping it on this device; the reply sound. */
import { formatDate, formatTime } from "../../../static/js/format.js";
import { saveConversation } from "./saved.js";
import { el, locale, state, t } from "./state.js";
import { authorLabel } from "./thread.js";
import { transcriptFileName, transcriptHtml, transcriptRows, transcriptText } from "./transcript.js";

export const RESUME_FRAGMENT = "chat-resume=";
const COPIED_MS = 2000;

export function resumeLink(code) {
  return location.origin + location.pathname + location.search + "#" + RESUME_FRAGMENT + encodeURIComponent(code);
}

export function renderMenu() {
  const active = Boolean(state.token);
  el.menuButton.hidden = !active;
  if (!active) closeMenu(false);
  el.menuResume.hidden = !state.resumeCode;
  el.menuCode.textContent = state.resumeCode || "";
  el.resumeLink.value = state.resumeCode ? resumeLink(state.resumeCode) : "";
  el.keep.checked = state.kept;
  el.sound.checked = !state.muted;
}

export function isMenuOpen() { return !el.menu.hidden; }

function openMenu() {
  renderMenu();
  el.menu.hidden = false;
  el.menuButton.setAttribute("aria-expanded", "true");
  (el.menuResume.hidden ? el.downloadText : el.copyCode).focus();
}

/** Close the menu; focus goes back to its button unless told otherwise. */
export function closeMenu(refocus = true) {
  if (el.menu.hidden) return;
  el.menu.hidden = true;
  el.menuButton.setAttribute("aria-expanded", "false");
  if (refocus) el.menuButton.focus();
}

function copy(text, button, label) {
  const done = () => {
    button.textContent = t("copied");
    window.setTimeout(() => { button.textContent = t(label); }, COPIED_MS);
  };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, () => selectForCopy(button));
  } else selectForCopy(button);
}

function selectForCopy(button) {
  // No clipboard access (plain HTTP, a refusal): select the text so Ctrl+C copies it.
  const target = button === el.copyLink ? el.resumeLink : el.menuCode;
  if (target === el.resumeLink) { target.focus(); target.select(); return; }
  const range = document.createRange();
  range.selectNodeContents(target);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

function transcript() {
  const messages = Array.from(state.messages.values())
    .map(({ message }) => ({ who: authorLabel(message), text: String(message.text), at: new Date(message.created_at), id: message.id }))
    .filter((message) => !isNaN(message.at))
    .sort((a, b) => a.id - b.id);
  const rows = transcriptRows(messages, {
    formatDay: (date) => formatDate(locale, date), formatTime: (date) => formatTime(locale, date)
  });
  const now = new Date();
  return { title: t("transcript_title"), saved: t("transcript_saved", { date: formatDate(locale, now) + " " + formatTime(locale, now) }), rows, now };
}

function download(kind) {
  const content = transcript();
  const html = kind === "html";
  const body = html
    ? transcriptHtml({ ...content, lang: locale, dir: document.documentElement.dir || "ltr" })
    : transcriptText(content);
  const blob = new Blob([body], { type: html ? "text/html;charset=utf-8" : "text/plain;charset=utf-8" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = transcriptFileName(content.now, html ? "html" : "txt");
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(link.href), 0);
}

export function wireMenu(setKept) {
  el.menuButton.addEventListener("click", () => { if (isMenuOpen()) closeMenu(); else openMenu(); });
  el.copyCode.addEventListener("click", () => copy(state.resumeCode, el.copyCode, "copy"));
  el.copyLink.addEventListener("click", () => copy(el.resumeLink.value, el.copyLink, "copy_link"));
  el.resumeLink.addEventListener("focus", () => el.resumeLink.select());
  el.downloadText.addEventListener("click", () => download("text"));
  el.downloadHtml.addEventListener("click", () => download("html"));
  el.keep.addEventListener("change", () => setKept(el.keep.checked));
  el.sound.addEventListener("change", () => {
    state.muted = !el.sound.checked;
    saveConversation();
  });
}
