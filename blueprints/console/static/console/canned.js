/* Canned replies: the operator's list, and the "/shortcut" suggestions while replying. */
import { byId, make } from "../../../static/js/dom.js";
import { emit } from "./link.js";
import { errorText, onReplyInput } from "./reply.js";
import { saveDraft } from "./session.js";
import { el, state, t } from "./state.js";

const MAX_SUGGESTIONS = 6;

export function loadCanned() {
  emit("canned_list", {}).then((ack) => {
    if (!ack.ok) return;
    state.canned = ack.canned || ack.replies || ack.items || [];
    renderCanned();
  });
}

function renderCanned() {
  el.cannedList.textContent = "";
  state.canned.forEach((reply) => {
    const li = make("li", "console-canned-item");
    const text = make("div", "console-canned-body");
    text.append(make("code", null, "/" + reply.shortcut), make("span", null, reply.text));
    const remove = make("button", "console-link", t("canned_delete"));
    remove.type = "button";
    remove.setAttribute("aria-label", t("canned_delete_label", { shortcut: reply.shortcut }));
    remove.addEventListener("click", () => {
      emit("canned_delete", { id: reply.id }).then((ack) => {
        if (ack.ok) loadCanned(); else showCannedAlert(errorText(ack.error));
      });
    });
    li.append(text, remove);
    el.cannedList.appendChild(li);
  });
  el.cannedEmpty.hidden = state.canned.length > 0;
}

function showCannedAlert(text) {
  el.cannedAlert.textContent = text;
  el.cannedAlert.hidden = !text;
}

/** Open the canned replies dialog with the focus on the new reply's shortcut. */
export function openCanned() {
  if (!el.canned.open) el.canned.showModal();
  el.cannedShortcut.focus();
}

export function wireCanned() {
  el.cannedButton.addEventListener("click", openCanned);
  byId("canned-close").addEventListener("click", () => el.canned.close());
  el.cannedForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const shortcut = el.cannedShortcut.value.trim().replace(/^\//, "");
    const text = el.cannedText.value.trim();
    if (shortcut && text) saveCanned(shortcut, text); else showCannedAlert(t("canned_incomplete"));
  });
}

export function saveCanned(shortcut, text) {
  emit("canned_save", { shortcut, text }).then((ack) => {
    if (!ack.ok) { showCannedAlert(errorText(ack.error)); return; }
    showCannedAlert("");
    el.cannedShortcut.value = "";
    el.cannedText.value = "";
    loadCanned();
  });
}

/** The "/shortcut" being typed right before the caret, lower-cased, or null. */
function cannedQuery() {
  const before = el.reply.value.slice(0, el.reply.selectionEnd);
  const match = /(^|\s)\/([\w-]*)$/.exec(before);
  return match ? match[2].toLowerCase() : null;
}

export function matchingCanned() {
  const query = cannedQuery();
  if (query === null) return [];
  const exact = (reply) => (reply.shortcut.toLowerCase() === query ? -1 : 0);
  const found = state.canned.filter((reply) => reply.shortcut.toLowerCase().indexOf(query) === 0);
  found.sort((a, b) => exact(a) - exact(b));
  return found.slice(0, MAX_SUGGESTIONS);
}

export function renderSuggestions() {
  const found = matchingCanned();
  el.suggestions.textContent = "";
  el.suggestions.hidden = found.length === 0;
  if (!found.length) { el.reply.removeAttribute("aria-activedescendant"); return; }
  state.suggestionIndex = Math.min(state.suggestionIndex, found.length - 1);
  found.forEach((reply, index) => {
    const li = make("li", "console-suggestion");
    li.id = "canned-suggestion-" + index;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", String(index === state.suggestionIndex));
    li.append(make("code", null, "/" + reply.shortcut), make("span", null, reply.text));
    li.addEventListener("mousedown", (event) => { event.preventDefault(); insertCanned(reply); });
    el.suggestions.appendChild(li);
  });
  el.reply.setAttribute("aria-activedescendant", "canned-suggestion-" + state.suggestionIndex);
}

function insertCanned(reply) {
  const end = el.reply.selectionEnd;
  const before = el.reply.value.slice(0, end).replace(/\/[\w-]*$/, "");
  const after = el.reply.value.slice(end);
  el.reply.value = before + reply.text + after;
  const caret = before.length + reply.text.length;
  el.reply.setSelectionRange(caret, caret);
  state.suggestionIndex = 0;
  saveDraft(state.currentId, el.reply.value);
  onReplyInput();
}

/** Handle the keys of the suggestion list; true when the key was for it. */
export function onSuggestionKey(event) {
  const found = el.suggestions.hidden ? [] : matchingCanned();
  if (!found.length) return false;
  if (event.key === "Tab" || (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.shiftKey)) {
    event.preventDefault();
    insertCanned(found[state.suggestionIndex] || found[0]);
    return true;
  }
  if ((event.key === "ArrowDown" || event.key === "ArrowUp") && !event.altKey) {
    event.preventDefault();
    state.suggestionIndex = (state.suggestionIndex + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
    renderSuggestions();
    return true;
  }
  if (event.key === "Escape") { event.preventDefault(); el.suggestions.hidden = true; return true; }
  return false;
}
