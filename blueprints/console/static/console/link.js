/* The /console socket (DESIGN.md §5): connecting with the bearer token, acknowledged emits that
   wait for the connection, and loading the queue after every (re)connect. */
import { session } from "../../../static/js/storage.js";
import { emitWithAck, whenConnected } from "../../../static/js/socket.js";
import { loadCanned } from "./canned.js";
import { forgetColleagues, onColleagueEvent } from "./collision.js";
import { openConversation } from "./conversation.js";
import { onConversationEvent, onMessageEvent, onPresenceEvent, onSeenEvent, onTypingEvent } from "./live.js";
import { learnMyId, upsertConversation } from "./conversations.js";
import { renderQueue } from "./queue.js";
import { KEY_CURRENT, sessionExpired } from "./session.js";
import { el, locale, state, t, TABS } from "./state.js";
import { onNoteEvent } from "./transfer.js";

const RETRY_REFUSED_MS = 5000;

export function connect() {
  if (!window.io) { setConnection(t("network_error")); return; }
  const socket = window.io("/console", {
    auth: (callback) => callback({ token: state.token, locale }),
    reconnectionDelayMax: 10000
  });
  state.socket = socket;
  socket.on("connect", onConnect);
  socket.on("connect_error", (err) => onConnectError(socket, err));
  socket.on("disconnect", (reason) => {
    setConnection(t("connection_lost"));
    // The server ends sockets of revoked tokens; reconnecting tells us which case this is.
    if (reason === "io server disconnect") socket.connect();
  });
  socket.on("conversation", onConversationEvent);
  socket.on("message", onMessageEvent);
  socket.on("typing", onTypingEvent);
  socket.on("seen", onSeenEvent);
  socket.on("presence", onPresenceEvent);
  socket.on("note", onNoteEvent);
  socket.on("operator", (me) => { if (me) learnMyId(me.id); });
  socket.on("colleague", onColleagueEvent);
}

function onConnectError(socket, err) {
  const data = (err && err.data) || {};
  if (data.code === "unauthorized") { sessionExpired(); return; }
  if (data.code === "forbidden") {
    // A maintainer without the operator role: the policy link still works, the queue does not.
    setConnection(data.message || t("error_forbidden"));
    return;
  }
  setConnection(t("connection_lost"));
  if (!socket.active) window.setTimeout(() => { if (state.socket === socket) socket.connect(); }, RETRY_REFUSED_MS);
}

/** Resolve the ack of event once connected; {ok: false, error: {code: "unavailable"}} if never. */
export function emit(event, payload) {
  return whenConnected(state.socket).then((connected) => {
    if (!connected) return { ok: false, error: { code: "unavailable" } };
    return emitWithAck(state.socket, event, payload).then((ack) => {
      if (!ack.ok && ack.error && ack.error.code === "unauthorized") sessionExpired();
      return ack;
    });
  });
}

function onConnect() {
  setConnection("");
  forgetColleagues();  // they announce themselves again when we open a conversation
  emit("presence", { status: el.presence.value });
  Promise.all(TABS.map((status) => emit("list", { status }))).then((acks) => {
    acks.forEach((ack) => {
      if (ack.ok && Array.isArray(ack.conversations)) ack.conversations.forEach(upsertConversation);
    });
    renderQueue();
    const wanted = state.currentId !== null ? state.currentId : session.load(KEY_CURRENT, null);
    if (wanted !== null && state.conversations.has(wanted)) {
      state.currentId = null;  // a new socket: say again what we view
      openConversation(wanted, false);
    }
  });
  loadCanned();
}

function setConnection(text) {
  el.connection.textContent = text;
  el.connection.hidden = !text;
}
