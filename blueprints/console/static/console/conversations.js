/* What the console knows of each conversation: merging the server's updates, which tab it
   belongs to, who it is assigned to, and who we are. */
import { renderConversationHead } from "./conversation.js";
import { renderQueue } from "./queue.js";
import { saveProfile } from "./session.js";
import { el, state } from "./state.js";

/** Merge conversation into what we know and return the result (null without an id). */
export function upsertConversation(conversation) {
  if (!conversation || conversation.id === undefined) return null;
  const merged = Object.assign({}, state.conversations.get(conversation.id) || {}, conversation);
  state.conversations.set(conversation.id, merged);
  // The server counts visitor messages no operator has read yet; the one on screen is read.
  if (typeof conversation.unread === "number") {
    state.unread.set(conversation.id, isWatching(conversation.id) ? 0 : conversation.unread);
  }
  return merged;
}

export function isWatching(id) {
  return id === state.currentId && !document.hidden && !el.app.hidden;
}

export function tabOf(conversation) {
  // The server says "waiting" (open, no operator reply yet), "open" or "closed".
  if (conversation.status === "closed" || conversation.status === "waiting") return conversation.status;
  return conversation.answered === false ? "waiting" : "open";
}

export function activityOf(conversation) {
  return new Date(conversation.last_activity_at || conversation.created_at || 0).getTime() || 0;
}

export function assignedId(conversation) {
  const assigned = conversation.assigned_to;
  if (assigned === null || assigned === undefined) return null;
  return typeof assigned === "object" ? assigned.id : assigned;
}

export function isMine(conversation) {
  const me = state.profile || {};
  return me.id !== undefined && me.id !== null && assignedId(conversation) === me.id;
}

function assignedName(conversation) {
  const assigned = conversation.assigned_to;
  if (assigned === null || assigned === undefined) return null;
  if (typeof assigned === "object" && assigned.alias) return assigned.alias;
  const id = assignedId(conversation);
  const operator = state.operators.find((op) => op.id === id);
  return operator ? operator.alias : "#" + id;
}

/** "Assigned to me", "Assigned to NAME" or "Unassigned", as a label. */
export function assignmentLabel(conversation, t) {
  const name = assignedName(conversation);
  if (isMine(conversation)) return t("assigned_to_me");
  return name ? t("assigned_to", { name }) : t("unassigned");
}

export function learnMyId(id) {
  // The token API does not say who we are by id; our own acks and presence do.
  const me = state.profile || {};
  if (typeof id !== "number" || me.id === id) return;
  me.id = id;
  state.profile = me;
  saveProfile();
  renderQueue();
  if (state.currentId !== null) renderConversationHead();
}

/** Record a stored message as the conversation's latest. */
export function noteLastMessage(conversation, message) {
  if (!conversation) return;
  conversation.last_message = message;
  conversation.last_activity_at = message.created_at || conversation.last_activity_at;
}
