/* Transferring the open conversation to another operator with a note; and the notice an
   operator gets when a conversation is transferred to them. */
import { byId, make } from "../../../static/js/dom.js";
import { openConversation } from "./conversation.js";
import { upsertConversation } from "./conversations.js";
import { emit } from "./link.js";
import { addNote, recordErrorText } from "./notes.js";
import { notify } from "./notify.js";
import { renderQueue } from "./queue.js";
import { showAlert } from "./reply.js";
import { el, state, t } from "./state.js";

const form = () => byId("transfer-form");
const opener = () => byId("transfer-open");

function others() {
  const me = (state.profile || {}).id;
  return state.operators.filter((operator) => operator.id !== undefined && operator.id !== me);
}

/** The operators one may transfer to: everyone on duty but me, by alias. */
export function renderTransferOptions() {
  const select = byId("transfer-to");
  const chosen = select.value;
  select.textContent = "";
  others().forEach((operator) => {
    const option = make("option", null, operator.alias);
    option.value = String(operator.id);
    if (operator.status) option.textContent += " (" + t("presence_" + operator.status) + ")";
    select.appendChild(option);
  });
  if (chosen) select.value = chosen;
  const none = !select.options.length;
  byId("transfer-none").hidden = !none;
  select.disabled = none;
  byId("transfer-submit").disabled = none;
}

function setOpen(open) {
  form().hidden = !open;
  opener().setAttribute("aria-expanded", String(open));
  if (open) { renderTransferOptions(); byId("transfer-to").focus(); } else { opener().focus(); }
}

function submitTransfer() {
  const id = state.currentId;
  const to = Number(byId("transfer-to").value);
  if (id === null || !to) return;
  const note = byId("transfer-note").value;
  emit("transfer", { conversation_id: id, to, note }).then((ack) => {
    if (!ack.ok) { showAlert(recordErrorText(ack.error)); return; }
    byId("transfer-note").value = "";
    upsertConversation(ack.conversation);
    addNote(ack.note);
    renderQueue();
    setOpen(false);
    showAlert(t("transferred", { name: ack.note.transfer_to.alias }));
  });
}

export function closeTransfer() {
  form().hidden = true;
  opener().setAttribute("aria-expanded", "false");
}

export function wireTransfer() {
  opener().addEventListener("click", () => setOpen(form().hidden));
  byId("transfer-cancel").addEventListener("click", () => setOpen(false));
  form().addEventListener("keydown", (event) => {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false); }
  });
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    submitTransfer();
  });
}

function transferNotice(note) {
  const box = make("div", "notice console-transfer-notice");
  box.append(make("p", null, t("transferred_to_you", { name: note.alias, id: note.conversation_id })));
  if (note.text) {
    const text = make("p", "console-transfer-text", note.text);
    text.dir = "auto";
    box.append(text);
  }
  const open = make("button", "button console-small-button", t("transfer_open_conversation", { id: note.conversation_id }));
  open.type = "button";
  open.addEventListener("click", () => { box.remove(); openConversation(note.conversation_id, true); });
  const dismiss = make("button", "button secondary console-small-button", t("dismiss"));
  dismiss.type = "button";
  dismiss.addEventListener("click", () => { box.remove(); el.searchInput.focus(); });
  const actions = make("p", "console-transfer-actions");
  actions.append(open, " ", dismiss);
  box.append(actions);
  return box;
}

/** A note from another operator: kept, and when it hands a conversation to me, announced. */
export function onNoteEvent(note) {
  if (!note || note.id === undefined) return;
  addNote(note);
  const me = (state.profile || {}).id;
  if (!note.transfer_to || me === undefined || note.transfer_to.id !== me) return;
  byId("transfer-notices").appendChild(transferNotice(note));
  notify(t("transferred_to_you", { name: note.alias, id: note.conversation_id }), note.conversation_id);
}
