/* What the server pushes: conversations created or changed, messages, typing, read receipts
   and who is online; and our own "seen". */
import { session } from "../../../static/js/storage.js";
import { TypingIndicator } from "../../../static/js/typing.js";
import { forgetColleagues, keepConnectedColleagues } from "./collision.js";
import { addMessage, renderConversationHead, renderReceipts, showConversation } from "./conversation.js";
import { isMine, isWatching, learnMyId, noteLastMessage, tabOf, upsertConversation } from "./conversations.js";
import { forgetNotes } from "./notes.js";
import { notify } from "./notify.js";
import { renderQueue, renderTitle } from "./queue.js";
import { KEY_CURRENT, saveDraft } from "./session.js";
import { el, isLive, state, t } from "./state.js";

export const visitorTyping = new TypingIndicator({ render(active) { el.typing.hidden = !active; } });

function unwrap(payload, key) {
  return payload && payload[key] && typeof payload[key] === "object" ? payload[key] : payload;
}

export function onConversationEvent(payload) {
  const conversation = unwrap(payload, "conversation");
  if (!conversation || conversation.id === undefined) return;
  if (conversation.status === "erased") {
    forgetConversation(conversation.id, t(conversation.reason === "retention" ? "conversation_expired" : "conversation_erased"));
    return;
  }
  const isNew = !state.conversations.has(conversation.id);
  const merged = upsertConversation(conversation);
  if (isNew && tabOf(merged) !== "closed") notify(t("notify_new_conversation", { id: merged.id }), merged.id);
  renderQueue();
  if (merged.id === state.currentId) {
    renderConversationHead();
    renderReceipts();
    reportSeen();
  }
}

/** Drop a conversation that no longer exists; if it was open, say why (notice) where it was. */
export function forgetConversation(id, notice) {
  state.conversations.delete(id);
  forgetColleagues(id);
  state.history.delete(id);
  forgetNotes(id);
  state.unread.forget(id);
  saveDraft(id, "");
  if (state.searchResults) state.searchResults = state.searchResults.filter((other) => other !== id);
  if (state.currentId === id) {
    state.currentId = null;
    session.remove(KEY_CURRENT);
    el.reply.value = "";
    showConversation(null);
    el.gone.textContent = notice || t("error_not_found");
  }
  renderQueue();
}

export function onMessageEvent(payload) {
  const message = unwrap(payload, "message");
  const conversationId = payload.conversation_id !== undefined ? payload.conversation_id : message.conversation_id;
  if (!addMessage(conversationId, message)) return;
  const conversation = state.conversations.get(conversationId);
  noteLastMessage(conversation, message);
  if (message.author === "visitor") {
    if (conversationId === state.currentId) visitorTyping.show(false);
    // The count itself comes with the next summary (within CONSOLE_ACTIVITY_SECONDS): the server's.
    if (conversation && isMine(conversation) && !isWatching(conversationId)) {
      notify(t("notify_new_message", { id: conversationId }), conversationId);
    }
  }
  renderQueue();
  reportSeen();
}

export function reportSeen() {
  const id = state.currentId;
  if (id === null || document.hidden || !isLive()) return;
  const history = state.history.get(id);
  if (!history || !history.size) return;
  const upTo = Math.max(...history.keys());
  const conversation = state.conversations.get(id) || {};
  if ((conversation.operator_seen_up_to || 0) >= upTo) return;
  conversation.operator_seen_up_to = upTo;
  state.unread.markRead(id);
  renderTitle();
  state.socket.emit("seen", { conversation_id: id, up_to: upTo });
}

export function onTypingEvent(payload) {
  if (!payload || payload.conversation_id !== state.currentId) return;
  if (payload.author && payload.author !== "visitor") return;
  visitorTyping.show(Boolean(payload.active));
}

export function onSeenEvent(payload) {
  // Read receipts normally arrive inside `conversation` events; a bare `seen` works too.
  if (!payload || payload.author === "operator") return;
  const conversation = state.conversations.get(payload.conversation_id);
  if (!conversation) return;
  conversation.visitor_seen_up_to = Math.max(conversation.visitor_seen_up_to || 0, Number(payload.up_to) || 0);
  if (payload.conversation_id === state.currentId) renderReceipts();
}

export function onPresenceEvent(payload) {
  const operators = Array.isArray(payload) ? payload : (payload && (payload.operators || payload.online));
  if (!Array.isArray(operators)) return;
  state.operators = operators.map((operator) => (typeof operator === "object" ? operator : { alias: String(operator) }));
  const me = state.profile || {};
  const sameAlias = state.operators.filter((operator) => operator.alias === me.alias);
  if (me.id === undefined && sameAlias.length === 1) learnMyId(sameAlias[0].id);
  const online = state.operators.filter((operator) => !operator.status || operator.status === "online");
  el.operators.textContent = online.length ? t("operators_online", { names: online.map((op) => op.alias || op.username).join(", ") }) : "";
  keepConnectedColleagues(state.operators);
  if (state.currentId !== null) renderConversationHead();
}
