/* The open conversation: its head (status, assignment, actions) and its messages. */
import { make } from "../../../static/js/dom.js";
import { formatWhen, languageName } from "../../../static/js/format.js";
import { insertInOrder, messageElement, setMeta, timeElement } from "../../../static/js/messages.js";
import { session } from "../../../static/js/storage.js";
import { messageImages, tray } from "./attachments.js";
import { announceViewing, renderCollision } from "./collision.js";
import { assignmentLabel, isMine, tabOf, upsertConversation } from "./conversations.js";
import { emit } from "./link.js";
import { forgetConversation, reportSeen, visitorTyping } from "./live.js";
import { renderQueue } from "./queue.js";
import { errorText, onReplyInput, showAlert, typing } from "./reply.js";
import { loadNotes } from "./notes.js";
import { renderRating } from "./rating.js";
import { KEY_CURRENT, saveDraft } from "./session.js";
import { renderTags } from "./tags.js";
import { closeTransfer, renderTransferOptions } from "./transfer.js";
import { el, locale, state, t } from "./state.js";

export function showConversation(id) {
  el.placeholder.hidden = id !== null;
  el.body.hidden = id === null;
  el.main.classList.toggle("has-conversation", id !== null);
}

export function openConversation(id, focus) {
  if (state.currentId !== null && state.currentId !== id) {
    saveDraft(state.currentId, el.reply.value);
    typing.stop();
    closeTransfer();
    tray.clear(true);  // images belong to one conversation: the ones not sent are taken back
  }
  if (state.currentId !== id) announceViewing(id);
  state.currentId = id;
  session.save(KEY_CURRENT, id);
  el.gone.textContent = "";
  state.unread.markRead(id);
  showConversation(id);
  renderConversationHead();
  el.messages.textContent = "";
  el.alerts.textContent = "";
  visitorTyping.show(false);
  renderCollision();
  el.reply.value = state.drafts[id] || "";
  onReplyInput();
  renderQueue();
  const known = state.history.get(id);
  if (known) known.forEach((message) => renderMessage(id, message));
  loadHistory(id, 0);
  loadNotes(id);
  if (focus) el.reply.focus();
}

function loadHistory(id, after) {
  emit("history", { conversation_id: id, after }).then((ack) => {
    if (!ack.ok) {
      if (ack.error && ack.error.code === "not_found") forgetConversation(id);
      else if (state.currentId === id) showAlert(errorText(ack.error));
      return;
    }
    if (ack.conversation) upsertConversation(ack.conversation);
    let last = after;
    (ack.messages || []).forEach((message) => {
      addMessage(id, message);
      last = Math.max(last, message.id);
    });
    if (ack.more && last > after) { loadHistory(id, last); return; }
    if (state.currentId !== id) return;
    renderConversationHead();
    renderReceipts();
    reportSeen();
  });
}

export function renderConversationHead() {
  const conversation = state.conversations.get(state.currentId);
  if (!conversation) return;
  const tab = tabOf(conversation);
  el.title.textContent = t("conversation_number", { id: conversation.id });
  el.meta.textContent = [
    t("visitor_language", { language: languageName(locale, conversation.locale) }),
    t("status_" + tab),
    assignmentLabel(conversation, t)
  ].join(" · ");
  const closed = tab === "closed";
  el.close.hidden = closed;
  el.reopen.hidden = !closed;
  el.assignMe.hidden = isMine(conversation);
  el.reply.disabled = closed;
  el.send.disabled = closed;
  el.reply.placeholder = closed ? t("closed_help") : t("reply_placeholder");
  renderAssignOptions();
  renderTags(conversation);
  renderRating(conversation);
  renderTransferOptions();
}

function renderAssignOptions() {
  const select = el.assignSelect;
  while (select.options.length > 1) select.remove(1);
  state.operators.forEach((operator) => {
    if (operator.id === undefined) return;
    const option = make("option", null, operator.alias || operator.username);
    option.value = String(operator.id);
    if (operator.status) option.textContent += " (" + t("presence_" + operator.status) + ")";
    select.appendChild(option);
  });
  select.value = "";
  select.hidden = select.options.length <= 1;
}

export function historyOf(id) {
  if (!state.history.has(id)) state.history.set(id, new Map());
  return state.history.get(id);
}

/** Keep message and show it if its conversation is open; false if it was known already. */
export function addMessage(conversationId, message) {
  if (!message || message.id === undefined) return false;
  const history = historyOf(conversationId);
  if (history.has(message.id)) return false;
  history.set(message.id, message);
  if (conversationId === state.currentId) renderMessage(conversationId, message);
  return true;
}

export function authorLabel(message) {
  if (message.author === "visitor") return t("author_visitor");
  if (message.author === "system") return t("author_system");
  const alias = message.operator_alias || message.alias || "";
  const me = state.profile || {};
  if (alias && alias === me.alias) return t("author_me", { alias });
  return alias || t("author_system");
}

/** The <li> of a message: visitors write in their own language, whatever the console's. */
export function consoleMessageElement(message) {
  const li = messageElement("console", message.author, authorLabel(message), message.text);
  const images = messageImages(message);
  if (images) li.querySelector(".console-message-text").after(images);
  return li;
}

function renderMessage(conversationId, message) {
  const li = consoleMessageElement(message);
  li.dataset.id = String(message.id);
  renderMessageMeta(li, conversationId, message);
  insertInOrder(el.messages, li, message.id);
  scrollToEnd();
}

function renderMessageMeta(li, conversationId, message) {
  const time = timeElement(message.created_at, (date) => formatWhen(locale, date));
  const parts = [time];
  if (message.redacted && message.redacted.length) parts.push(t("redacted_note"));
  if (message.author === "operator") {
    const conversation = state.conversations.get(conversationId) || {};
    const read = message.id <= (conversation.visitor_seen_up_to || 0);
    parts.push(make("span", read ? "console-receipt is-read" : "console-receipt", read ? t("read_by_visitor") : t("delivered")));
  }
  setMeta(li, parts);
}

export function scrollToEnd() {
  el.messages.scrollTop = el.messages.scrollHeight;
}

export function renderReceipts() {
  const id = state.currentId;
  if (id === null) return;
  Array.from(el.messages.children).forEach((li) => {
    const message = historyOf(id).get(Number(li.dataset.id));
    if (message) renderMessageMeta(li, id, message);
  });
}
