/* Replying: sending with a pending line until the ack, errors as alerts, the counter, our
   "typing" signal, and the actions on the open conversation. */
import { make } from "../../../static/js/dom.js";
import { formatSeconds, visibleLength } from "../../../static/js/format.js";
import { newClientMessageId } from "../../../static/js/ids.js";
import { TypingSignal } from "../../../static/js/typing.js";
import { tray } from "./attachments.js";
import { renderSuggestions } from "./canned.js";
import { addMessage, consoleMessageElement, renderConversationHead, scrollToEnd } from "./conversation.js";
import { learnMyId, noteLastMessage, upsertConversation } from "./conversations.js";
import { emit } from "./link.js";
import { renderQueue } from "./queue.js";
import { saveDraft } from "./session.js";
import { el, isLive, locale, maxLength, number, state, t } from "./state.js";

const COUNTER_FROM = 0.8;

export const typing = new TypingSignal({
  emit: (active) => state.socket.emit("typing", { conversation_id: state.currentId, active }),
  canSend: () => state.currentId !== null && isLive()
});

export function sendReply() {
  const id = state.currentId;
  const text = el.reply.value;
  if (id === null) return;
  if (tray.uploading) { showAlert(t("image_uploading")); return; }
  const attachments = tray.attachments();
  if (!text.trim() && !attachments.length) { showAlert(t("error_empty")); return; }
  if (visibleLength(text) > maxLength) { showAlert(t("error_too_long", { max: number(maxLength) })); return; }
  const pending = consoleMessageElement({ author: "operator", operator_alias: (state.profile || {}).alias, text,
    attachments });
  tray.clear();
  pending.classList.add("is-pending");
  pending.querySelector(".console-message-meta").textContent = t("sending");
  el.messages.appendChild(pending);
  scrollToEnd();
  el.reply.value = "";
  saveDraft(id, "");
  onReplyInput();
  typing.stop();
  el.alerts.textContent = "";
  const payload = { conversation_id: id, text, client_msg_id: newClientMessageId() };
  if (attachments.length) payload.attachments = attachments.map((attachment) => attachment.id);
  emit("message", payload).then((ack) => {
    pending.remove();
    if (ack.ok) onReplyStored(id, ack.message); else onReplyRefused(id, text, ack.error);
  });
}

function onReplyStored(id, message) {
  learnMyId(message.operator_id);
  addMessage(id, message);
  const conversation = state.conversations.get(id);
  if (conversation) {
    noteLastMessage(conversation, message);
    conversation.answered = true;
    if (conversation.status === "waiting") conversation.status = "open";
  }
  renderQueue();
}

function onReplyRefused(id, text, error) {
  // Nothing typed is lost: the text goes back into the box (or into the draft).
  if (state.currentId === id && !el.reply.value) { el.reply.value = text; onReplyInput(); }
  if (!state.drafts[id]) saveDraft(id, text);
  if (!state.socket || (error && error.code === "unauthorized")) { saveDraft(id, text); return; }
  showAlert(errorText(error));
}

export function errorText(maybeError) {
  const error = maybeError || {};
  const key = "error_" + error.code;
  if (error.code === "rate_limited") return t(key, { time: formatSeconds(locale, error.retry_after || 1) });
  if (t.has(key)) return t(key, { max: number(maxLength) });
  return error.message || t("error_unknown");
}

export function showAlert(text) {
  el.alerts.textContent = "";
  el.alerts.appendChild(make("p", "notice warn console-alert", text));
}

/** Send event about the open conversation and show the changed conversation. */
export function conversationAction(event, extra, then) {
  const id = state.currentId;
  if (id === null) return;
  emit(event, Object.assign({ conversation_id: id }, extra || {})).then((ack) => {
    if (!ack.ok) { showAlert(errorText(ack.error)); return; }
    if (ack.conversation) {
      upsertConversation(ack.conversation);
      if (then) then(ack.conversation);
      renderQueue();
    }
    if (state.currentId === id) { el.alerts.textContent = ""; renderConversationHead(); }
  });
}

export function onReplyInput() {
  const length = visibleLength(el.reply.value);
  const show = length >= maxLength * COUNTER_FROM;
  el.counter.hidden = !show;
  el.counter.textContent = show ? t("counter", { count: number(length), max: number(maxLength) }) : "";
  el.counter.classList.toggle("is-over", length > maxLength);
  renderSuggestions();
}
