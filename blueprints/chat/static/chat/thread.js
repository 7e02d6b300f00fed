/* The conversation's messages on screen: adding them in order, read receipts both ways, the
   operator's typing indicator, and the end of a conversation. */
import { formatTime } from "../../../static/js/format.js";
import { insertInOrder, messageElement, setMeta, timeElement } from "../../../static/js/messages.js";
import { TypingIndicator } from "../../../static/js/typing.js";
import { messageImages } from "./attachments.js";
import { renderConversationTools, resetConversation } from "./conversation.js";
import { renderLayout } from "./layout.js";
import { noticeReply } from "./notice.js";
import { clearAlert, isOpen, renderUnread, scrollToEnd, showAlert, stickToEnd } from "./panel.js";
import { onConversationClosed } from "./rating.js";
import { saveSeen } from "./saved.js";
import { settleQueued } from "./sending.js";
import { DAY_MS, canTalk, el, locale, retentionDays, state, t } from "./state.js";

export const operatorTyping = new TypingIndicator({
  render(active, alias) {
    el.typing.hidden = !active;
    el.typing.textContent = active ? t("operator_typing", { name: alias || t("author_support") }) : "";
    stickToEnd();
  }
});

/** Who wrote a message, as the visitor sees it (an operator by alias, never an account name). */
export function authorLabel(message) {
  if (message.author === "visitor") return t("author_you");
  if (message.author === "system") return t("author_system");
  return message.operator_alias || message.alias || t("author_support");
}

/** The <li> of a message, stored or not yet. */
export function chatMessageElement(message) {
  const li = messageElement("chat", message.author, authorLabel(message), String(message.text));
  const images = messageImages(message);
  if (images) li.querySelector(".chat-message-text").after(images);
  return li;
}

function renderMessageMeta(entry) {
  const message = entry.message;
  const parts = [timeElement(message.created_at, (date) => formatTime(locale, date), (date) => date.toLocaleString(locale))];
  if (message.author === "visitor") {
    const read = message.id <= state.operatorReadUpTo;
    const receipt = document.createElement("span");
    receipt.className = read ? "chat-receipt is-read" : "chat-receipt";
    receipt.textContent = read ? t("state_read") : t("state_sent");
    parts.push(receipt);
  }
  setMeta(entry.li, parts);
}

export function addMessage(message) {
  if (!message || typeof message.id !== "number" || state.messages.has(message.id)) return;
  const li = chatMessageElement(message);
  li.dataset.id = String(message.id);
  const entry = { message, li };
  state.messages.set(message.id, entry);
  settleQueued(message.client_msg_id);
  renderMessageMeta(entry);
  insertInOrder(el.messages, li, message.id);
  renderLayout();
  state.lastSeen = Math.max(state.lastSeen, message.id);
  noteActivity(message.created_at);
  if (message.author !== "system" && state.closedAt !== null && message.id > state.closedAt) reopened();
  if (message.author === "operator") {
    operatorTyping.show(false);
    // Unread: replies that arrived since the visitor last had the panel open (or saw the tab).
    const unseen = message.id > state.seenSent;
    if (!isOpen() && unseen) { state.unread += 1; renderUnread(); }
    if (unseen && (!isOpen() || document.hidden)) noticeReply(message, isOpen());
  }
  scrollToEnd();
  reportSeen();
}

function noteActivity(iso) {
  const at = new Date(iso);
  if (isNaN(at)) return;
  const eraseAfter = new Date(at.getTime() + retentionDays * DAY_MS);
  if (!state.eraseAfter || eraseAfter > state.eraseAfter) state.eraseAfter = eraseAfter;
  renderConversationTools();
}

export function reportSeen() {
  if (!canTalk() || !isOpen() || document.hidden) return;
  if (state.lastSeen <= state.seenSent) return;
  state.seenSent = state.lastSeen;
  saveSeen();
  state.socket.emit("seen", { up_to: state.lastSeen });
}

export function onOperatorSeen(payload) {
  const upTo = payload && Number(payload.up_to);
  if (!upTo || upTo <= state.operatorReadUpTo) return;
  state.operatorReadUpTo = upTo;
  state.messages.forEach((entry) => {
    if (entry.message.author === "visitor") renderMessageMeta(entry);
  });
}

export function onOperatorTyping(payload) {
  operatorTyping.show(Boolean(payload && payload.active), payload && (payload.operator_alias || payload.alias));
}

export function onClosed(payload) {
  if (payload && payload.reason === "erased") {
    // Erased from another tab or by retention: nothing of it may stay on screen.
    resetConversation();
    showAlert("conversation", t("erased"), "info");
    return;
  }
  showClosed();
}

/** The notice stays only while it is true: a new message reopened the conversation. */
export function showClosed() {
  state.closedAt = state.lastSeen;
  showAlert("closed", t("closed_by_support"), "info");
  onConversationClosed();
}

export function reopened() {
  state.closedAt = null;
  clearAlert("closed");
}
