/* The conversation in browser storage. Privacy: nothing is written before the visitor's first
   message (DESIGN.md §2); sessionStorage unless the visitor opts in to "keep on this device",
   which uses localStorage until the server would erase it anyway. docs/chat.md lists every key. */
import { local, session } from "../../../static/js/storage.js";
import { DAY_MS, retentionDays, state } from "./state.js";

const KEY_TOKEN = "clipai.chat.token";
const KEY_EXPIRES = "clipai.chat.expires";
const KEY_RESUME = "clipai.chat.resume_code";
const KEY_OPEN = "clipai.chat.open";
const KEY_SEEN = "clipai.chat.seen";
const KEY_OUTBOX = "clipai.chat.outbox";
const KEY_SOUND = "clipai.chat.sound";
const KEY_OFFER = "clipai.chat.keep_offer";
// Everything that follows the conversation between sessionStorage and localStorage.
const KEYS = [KEY_TOKEN, KEY_RESUME, KEY_EXPIRES, KEY_SEEN, KEY_OUTBOX, KEY_SOUND, KEY_OFFER];

const current = () => (state.kept ? local : session);

export function loadSavedConversation() {
  let token = session.get(KEY_TOKEN);
  if (token) {
    adopt(token, session, false);
    return;
  }
  token = local.get(KEY_TOKEN);
  if (!token) { state.outbox = session.load(KEY_OUTBOX, []); return; }
  const expires = parseInt(local.get(KEY_EXPIRES), 10);
  if (!expires || expires < Date.now()) {
    forgetOnDevice(local);
    return;
  }
  adopt(token, local, true);
}

function adopt(token, area, kept) {
  state.token = token;
  state.kept = kept;
  state.resumeCode = area.get(KEY_RESUME);
  state.seenSent = parseInt(area.get(KEY_SEEN), 10) || 0;
  state.muted = area.get(KEY_SOUND) === "off";
  state.keepOffer = area.get(KEY_OFFER);
  state.outbox = area.load(KEY_OUTBOX, []);
}

export function saveConversation() {
  if (!state.token) return;
  const area = current();
  const other = state.kept ? session : local;
  KEYS.forEach((key) => {
    // Move what the other area holds (the open flag, the outbox…) before it is cleared there.
    const moved = other.get(key);
    if (moved !== null && area.get(key) === null) area.set(key, moved);
  });
  area.set(KEY_TOKEN, state.token);
  if (state.resumeCode) area.set(KEY_RESUME, state.resumeCode);
  if (state.kept) area.set(KEY_EXPIRES, String(keptUntil().getTime())); else area.remove(KEY_EXPIRES);
  if (state.seenSent) area.set(KEY_SEEN, String(state.seenSent));
  if (state.muted) area.set(KEY_SOUND, "off"); else area.remove(KEY_SOUND);
  if (state.keepOffer) area.set(KEY_OFFER, state.keepOffer);
  forgetOnDevice(other);
}

export function saveSeen() {
  current().set(KEY_SEEN, String(state.seenSent));
}

/**
 * Keep the messages still waiting to be sent ([{client_msg_id, text}]), so a reload sends them;
 * the key goes once nothing waits. Written only after the visitor pressed Send.
 */
export function saveOutbox(items) {
  const area = current();
  if (items.length) area.save(KEY_OUTBOX, items); else area.remove(KEY_OUTBOX);
}

export function forgetEverywhere() {
  forgetOnDevice(session);
  forgetOnDevice(local);
  session.remove(KEY_OPEN);
}

function forgetOnDevice(area) {
  KEYS.forEach((key) => area.remove(key));
}

export function keptUntil() {
  // Nothing is worth keeping after the server erases the conversation.
  return state.eraseAfter || new Date(Date.now() + retentionDays * DAY_MS);
}

export function rememberOpen(open) {
  if (!state.token) return;
  if (open) session.set(KEY_OPEN, "1");
  else session.remove(KEY_OPEN);
}

export function wasOpen() {
  return Boolean(session.get(KEY_OPEN));
}
