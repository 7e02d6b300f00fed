/* The /chat socket: connecting lazily, the auth payload, history after (re)connecting, and the
   server's refusals and status (DESIGN.md §5). */
import { emitWithAck, loadClient } from "../../../static/js/socket.js";
import { adoptResumedConversation, renderConversationTools, resetConversation } from "./conversation.js";
import { clearAlert, setStatus, showAlert, statusName } from "./panel.js";
import { renderAvailability } from "./hours.js";
import { applyRatingState } from "./rating.js";
import { flushQueue, queue } from "./sending.js";
import { locale, root, server, state, t } from "./state.js";
import {
  addMessage, onClosed, onOperatorSeen, onOperatorTyping, operatorTyping, reopened, reportSeen, showClosed
} from "./thread.js";

const RETRY_REFUSED_MS = 10000;

function authPayload(callback) {
  const auth = { locale };
  if (state.resumeAttempt) auth.token = state.resumeAttempt;
  else if (state.token) auth.token = state.token;
  if (state.token && state.lastSeen) auth.last_seen = state.lastSeen;
  callback(auth);
}

export function ensureConnected() {
  if (state.socket) {
    if (!state.socket.connected && !state.socket.active) state.socket.connect();
    return;
  }
  setStatus("connecting");
  loadClient(root.dataset.clientSrc).then((io) => {
    if (state.socket) return;
    state.socket = io(server + "/chat", { auth: authPayload, reconnectionDelayMax: 10000 });
    bindSocket(state.socket);
  }, () => {
    setStatus("reconnecting");
    showAlert("connect", t("connect_failed"), "warn");
  });
}

/** Connect again with a fresh auth payload (a new conversation, or a resume code). */
export function reconnect() {
  if (!state.socket) { ensureConnected(); return; }
  state.socket.disconnect();
  state.socket.connect();
}

function bindSocket(s) {
  s.on("connect", onConnect);
  s.on("connect_error", onConnectError);
  s.on("disconnect", onDisconnect);
  s.on("message", addMessage);
  s.on("typing", onOperatorTyping);
  s.on("seen", onOperatorSeen);
  s.on("status", onStatus);
  s.on("closed", onClosed);
}

function onConnect() {
  state.connected = true;
  state.everConnected = true;
  clearAlert("connect");
  if (state.resumeAttempt) adoptResumedConversation();
  setStatus(statusName());
  if (!state.token) { flushQueue(); return; }
  loadHistory(() => {
    renderConversationTools();
    flushQueue();
    reportSeen();
  });
}

function loadHistory(done) {
  // Pages of history until the server says there is no more; ids make repeats harmless.
  emitWithAck(state.socket, "history", { after: state.lastSeen }).then((ack) => {
    if (!ack.ok) { done(); return; }
    const before = state.lastSeen;
    (ack.messages || []).forEach(addMessage);
    // After the messages, so that "closed" is measured against the newest of them.
    if (ack.conversation) applyConversationState(ack.conversation);
    if (ack.more && state.lastSeen > before) loadHistory(done); else done();
  });
}

export function applyConversationState(conversation) {
  if (conversation.erase_after) {
    const eraseAfter = new Date(conversation.erase_after);
    if (!isNaN(eraseAfter)) state.eraseAfter = eraseAfter;
  }
  if (typeof conversation.operator_seen_up_to === "number") onOperatorSeen({ up_to: conversation.operator_seen_up_to });
  applyRatingState(conversation);
  if (conversation.status === "closed") showClosed(); else if (conversation.status) reopened();
}

function onConnectError(err) {
  const socket = state.socket;
  state.connected = false;
  const data = (err && err.data) || {};
  if (state.resumeAttempt) {
    // A refused code (or too many guesses): back to being a fresh visitor.
    state.resumeAttempt = null;
    showAlert("resume", data.code === "unauthorized" ? t("resume_failed") : (data.message || t("resume_failed")), "error");
    socket.connect();
    return;
  }
  if (data.code === "unauthorized") {
    if (state.token) {
      resetConversation();
      showAlert("conversation", t("conversation_gone"), "warn");
    }
    socket.connect();  // a refused handshake is not retried by the client on its own
    return;
  }
  setStatus("reconnecting");
  if (!socket.active) {
    // Refused for another reason (rate limit, server busy): try again a little later.
    const retryAfter = Math.max(RETRY_REFUSED_MS, (Number(data.retry_after) || 0) * 1000);
    showAlert("connect", data.message || t("connect_failed"), "warn");
    window.setTimeout(connectIfDown, retryAfter);
  }
}

function connectIfDown() {
  if (state.socket && !state.socket.connected) state.socket.connect();
}

function onDisconnect(reason) {
  state.connected = false;
  queue.abandon();
  operatorTyping.show(false);
  setStatus("reconnecting");
  if (reason === "io server disconnect") window.setTimeout(connectIfDown, 1000);
}

function onStatus(payload) {
  const online = payload && payload.operators_online;
  state.operatorsOnline = typeof online === "number" ? online > 0 : Boolean(online);
  setStatus(statusName());
  renderAvailability(payload);
}
