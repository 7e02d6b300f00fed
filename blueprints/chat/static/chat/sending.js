/* Sending: the visitor's messages wait in the resend queue until the server stores them (kept in
   storage meanwhile, so a reload sends them), each labelled with what is really happening, and
   the server's refusals become alerts (or a wait, for rate limits and outages). */
import { formatWait, visibleLength } from "../../../static/js/format.js";
import { newClientMessageId } from "../../../static/js/ids.js";
import { setMeta } from "../../../static/js/messages.js";
import { SendQueue } from "../../../static/js/send-queue.js";
import { ACK_TIMEOUT_MS } from "../../../static/js/socket.js";
import { solveChallenge } from "./challenge.js";
import { tray } from "./attachments.js";
import { onInputChanged, typing } from "./composer.js";
import { ensureConnected } from "./connection.js";
import { resetConversation, startConversation } from "./conversation.js";
import { clearAlert, scrollToEnd, showAlert } from "./panel.js";
import { onConversationActive } from "./rating.js";
import { saveConversation, saveOutbox } from "./saved.js";
import { el, locale, maxLength, number, state, t } from "./state.js";
import { addMessage, chatMessageElement } from "./thread.js";

const RETRY_UNAVAILABLE_MS = 10000;
const SOLVING_MS = 120000;      // the queue waits at most this long for a proof of work
const MAX_CHALLENGES = 3;       // fresh challenges one message may get before the widget gives up
// An unanswered message says "Not sent" with a Retry button this long before it is resent on its own.
const RETRY_UNANSWERED_MS = 10000;
let rateLimitKey = "error_rate_limited";  // the wording of the current wait

export const queue = new SendQueue({
  send(item, done) {
    const payload = { text: item.text, client_msg_id: item.client_msg_id };
    if (item.altcha) payload.altcha = item.altcha;
    if (item.attachments?.length) payload.attachments = item.attachments.map((attachment) => attachment.id);
    state.socket.timeout(ACK_TIMEOUT_MS).emit("message", payload, done);
  },
  isConnected: () => state.connected,
  retryMs: RETRY_UNANSWERED_MS,
  on: {
    sending: (item) => renderPending(item, "sending"),
    // Connected but unanswered: the send failed, and says so (it is retried on its own too).
    queued: (item) => renderPending(item, state.connected ? "failed" : "queued"),
    stored: onMessageStored,
    refused: onMessageRefused
  }
});

export function flushQueue() {
  queue.flush();
}

export function submitMessage() {
  const text = el.input.value;
  if (tray.uploading) { showAlert("send", t("image_uploading"), "info"); return; }
  const attachments = tray.attachments();
  if (!text.trim() && !attachments.length) { showAlert("send", t("error_empty"), "error"); return; }
  if (visibleLength(text) > maxLength) {
    showAlert("send", t("error_too_long", { max: number(maxLength) }), "error");
    return;
  }
  clearAlert("send");
  clearAlert("redacted");
  const item = queueMessage(newClientMessageId(), text, attachments);
  tray.clear();
  renderPending(item, state.connected ? "sending" : "queued");
  el.input.value = "";
  onInputChanged();
  typing.stop();
  scrollToEnd();
  ensureConnected();
  flushQueue();
}

function queueMessage(clientMsgId, text, attachments = []) {
  const item = { client_msg_id: clientMsgId, text, attachments,
    li: chatMessageElement({ author: "visitor", text, attachments }) };
  item.li.classList.add("is-pending");
  el.messages.appendChild(item.li);
  queue.push(item);
  return item;
}

/** Messages a previous page could not send: back on screen and in the queue, same ids. */
export function restoreOutbox() {
  const saved = Array.isArray(state.outbox) ? state.outbox : [];
  state.outbox = [];
  saved.filter((entry) => entry && typeof entry.text === "string" && typeof entry.client_msg_id === "string")
    .forEach((entry) => {
      const attachments = Array.isArray(entry.attachments) ? entry.attachments : [];
      renderPending(queueMessage(entry.client_msg_id, entry.text, attachments), "queued");
    });
  return queue.length > 0;
}

/** Only a conversation's messages are kept for a reload: nothing is stored before the first one is. */
function persistOutbox() {
  const items = state.token ? queue.items : [];
  saveOutbox(items.map((item) => ({ client_msg_id: item.client_msg_id, text: item.text,
    attachments: item.attachments || [] })));
}

const LABELS = { sending: "state_sending", queued: "state_queued", failed: "state_failed", checking: "state_checking" };

/** The meta line of a message not stored yet: sending, waiting (how long), or not sent. */
function renderPending(item, kind) {
  const span = document.createElement("span");
  span.className = "chat-receipt is-" + kind;
  span.textContent = kind === "waiting"
    ? t("state_waiting", { time: formatWait(locale, queue.secondsBlocked()) })
    : t(LABELS[kind]);
  const parts = [span];
  if (kind === "failed") parts.push(retryButton());
  setMeta(item.li, parts);
  if (kind !== "sending") persistOutbox();
}

function retryButton() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "chat-link chat-retry";
  button.textContent = t("retry");
  button.addEventListener("click", () => {
    queue.blockFor(0);
    ensureConnected();
    flushQueue();
  });
  return button;
}

function onMessageStored(item, ack) {
  removeQueued(item);
  persistOutbox();
  if (!queue.length) clearAlert("send");  // an outage or limit it was about is over
  if (ack.conversation) startConversation(ack.conversation);
  addMessage(ack.message);
  onConversationActive();  // a message reopens a closed conversation
  showRedactions(ack.message && ack.message.redacted);
  if (state.kept) saveConversation();  // pushes the local expiry forward
}

function onMessageRefused(item, error) {
  const code = error.code;
  if (code === "challenge_required") { proveWork(item, error.challenge); return; }
  if (code === "rate_limited") {
    queue.blockFor(Math.max(1, Number(error.retry_after) || 5) * 1000);
    // Someone who sent one message is never told they are too quick: their network is busy.
    rateLimitKey = error.scope === "network" ? "error_network_busy" : "error_rate_limited";
    showRateLimit();
    return;
  }
  if (code === "unavailable") {
    queue.blockFor(RETRY_UNAVAILABLE_MS);
    renderPending(item, "failed");
    showAlert("send", t("error_unavailable"), "warn");
    return;
  }
  dropQueued(item);
  persistOutbox();
  if (code === "unauthorized") {
    resetConversation();
    showAlert("conversation", t("error_unauthorized"), "warn");
    return;
  }
  if (code === "closed") {
    el.newConversation.hidden = false;
    showAlert("send", t("error_closed"), "error");
    return;
  }
  const key = "error_" + code;
  showAlert("send", t.has(key) ? t(key, { max: number(maxLength) }) : (error.message || t("error_unknown")), "error");
}

/** A busy shared network: solve the challenge, then send the same message (same client_msg_id) again. */
function proveWork(item, challenge) {
  item.altcha = null;
  item.challenges = (item.challenges || 0) + 1;
  if (item.challenges > MAX_CHALLENGES) { challengeFailed(item); return; }
  queue.blockFor(SOLVING_MS);
  renderPending(item, "checking");
  solveChallenge(challenge).then((solution) => {
    item.altcha = solution;
    queue.blockFor(0);
    queue.flush();
  }, () => challengeFailed(item));
}

function challengeFailed(item) {
  queue.blockFor(0);
  dropQueued(item);
  showAlert("send", t("error_challenge_failed"), "error");
  queue.flush();
}

function removeQueued(item) {
  queue.remove(item);
  item.li.remove();
}

function dropQueued(item) {
  // Give the text back so nothing the visitor typed is lost.
  removeQueued(item);
  if (!el.input.value) { el.input.value = item.text; onInputChanged(); }
}

/** A message stored already (its ack was lost, the reconnect delivered it) is never shown twice. */
export function settleQueued(clientMsgId) {
  queue.settle(clientMsgId).forEach((item) => item.li.remove());
}

let rateLimitTimer = null;

/** A live countdown on the alert and on every waiting message, cleared when sending resumes. */
function showRateLimit() {
  window.clearTimeout(rateLimitTimer);
  const remaining = queue.secondsBlocked();
  if (remaining <= 0) {
    clearAlert("send");
    queue.items.forEach((item) => renderPending(item, state.connected ? "sending" : "queued"));
    return;
  }
  queue.items.forEach((item) => renderPending(item, "waiting"));
  showAlert("send", t(rateLimitKey, { time: formatWait(locale, remaining) }), "warn");
  rateLimitTimer = window.setTimeout(showRateLimit, 1000);
}

function showRedactions(kinds) {
  if (!Array.isArray(kinds) || !kinds.length) return;
  const lines = kinds.map((kind) => (t.has("redacted_" + kind) ? t("redacted_" + kind) : t("redacted_other")));
  showAlert("redacted", Array.from(new Set(lines)).join(" "), "info");
}
