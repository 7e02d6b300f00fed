/* Internal notes: written by operators, shown only in the console, never sent to the visitor.
   A note sits after the message that was newest when it was written (its after_message_id). */
import { byId, make } from "../../../static/js/dom.js";
import { formatWhen } from "../../../static/js/format.js";
import { insertInOrder, messageElement, setMeta, timeElement } from "../../../static/js/messages.js";
import { scrollToEnd } from "./conversation.js";
import { emit } from "./link.js";
import { errorText, showAlert } from "./reply.js";
import { el, locale, maxLength, state, t } from "./state.js";

const notes = new Map();  // conversation id -> Map(note id -> note)
const SVG = "http://www.w3.org/2000/svg";

function notesOf(id) {
  if (!notes.has(id)) notes.set(id, new Map());
  return notes.get(id);
}

/** The server's localized reason for refusals of the records events, else the console's own. */
export function recordErrorText(error) {
  if (error && (error.code === "invalid" || error.code === "not_found") && error.message) return error.message;
  return errorText(error);
}

function noteIcon() {
  // A pinned-note glyph: the label says "Internal note" too, so colour is never the only sign.
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "14");
  svg.setAttribute("height", "14");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "console-note-icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("fill", "currentColor");
  path.setAttribute("d", "M5 3h14a2 2 0 0 1 2 2v10l-6 6H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2Zm9 16.2L19.2 14H15a1 1 0 0 0-1 1ZM7 7v2h10V7Zm0 4v2h7v-2Z");
  svg.appendChild(path);
  return svg;
}

/** The <li> of a note: labelled "Internal note", its own colours and icon. */
export function noteElement(note) {
  const li = messageElement("console", "note", t("note_by", { name: note.alias || "" }), note.text);
  li.classList.add("console-note");
  li.dataset.id = String((note.after_message_id || 0) + 0.5);
  li.dataset.note = String(note.id);
  li.querySelector(".console-message-author").prepend(noteIcon(), " ");
  const text = li.querySelector(".console-message-text");
  if (note.transfer_to) {
    text.before(make("p", "console-note-transfer", t("note_transfer", { name: note.transfer_to.alias })));
  }
  if (!note.text) text.remove();
  const parts = [timeElement(note.created_at, (date) => formatWhen(locale, date))];
  if (note.redacted && note.redacted.length) parts.push(t("redacted_note"));
  setMeta(li, parts);
  return li;
}

function showNote(note) {
  if (note.conversation_id !== state.currentId) return;
  if (el.messages.querySelector('[data-note="' + note.id + '"]')) return;
  insertInOrder(el.messages, noteElement(note), (note.after_message_id || 0) + 0.5);
  scrollToEnd();
}

/** Keep a note from an ack or the server and show it when its conversation is open. */
export function addNote(note) {
  if (!note || note.id === undefined) return;
  notesOf(note.conversation_id).set(note.id, note);
  showNote(note);
}

/** Show what we know of the conversation's notes at once, then ask the server for all of them. */
export function loadNotes(id) {
  notesOf(id).forEach(showNote);
  emit("notes", { conversation_id: id }).then((ack) => {
    if (ack.ok) (ack.notes || []).forEach(addNote);
  });
}

export function forgetNotes(id) {
  notes.delete(id);
}

function submitNote(input) {
  const id = state.currentId;
  const text = input.value;
  if (id === null) return;
  if (!text.trim()) { showAlert(t("error_empty_note")); return; }
  if (text.length > maxLength) { showAlert(t("error_too_long", { max: maxLength })); return; }
  emit("note", { conversation_id: id, text }).then((ack) => {
    if (!ack.ok) { showAlert(recordErrorText(ack.error)); return; }
    if (input.value === text) input.value = "";
    el.alerts.textContent = "";
    addNote(ack.note);
  });
}

export function wireNotes() {
  const form = byId("note-form");
  const input = byId("note-input");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitNote(input);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submitNote(input);
    }
  });
}
