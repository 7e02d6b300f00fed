/* The conversation in browser storage. Privacy: nothing is written before the visitor's first
   message is acknowledged (DESIGN.md §2); sessionStorage unless the visitor opts in to
   "keep on this device", which uses localStorage until the server would erase it anyway. */
import { local, session } from "../../../static/js/storage.js";
import { DAY_MS, retentionDays, state } from "./state.js";

const KEY_TOKEN = "clipai.chat.token";
const KEY_EXPIRES = "clipai.chat.expires";
const KEY_RESUME = "clipai.chat.resume_code";
const KEY_OPEN = "clipai.chat.open";
const KEY_SEEN = "clipai.chat.seen";

const current = () => (state.kept ? local : session);

export function loadSavedConversation() {
  let token = session.get(KEY_TOKEN);
  if (token) {
    adopt(token, session, false);
    return;
  }
  token = local.get(KEY_TOKEN);
  if (!token) return;
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
}

export function saveConversation() {
  if (!state.token) return;
  const area = current();
  area.set(KEY_TOKEN, state.token);
  if (state.resumeCode) area.set(KEY_RESUME, state.resumeCode);
  if (state.kept) area.set(KEY_EXPIRES, String(keptUntil().getTime()));
  if (state.seenSent) area.set(KEY_SEEN, String(state.seenSent));
  forgetOnDevice(state.kept ? session : local);
}

export function saveSeen() {
  current().set(KEY_SEEN, String(state.seenSent));
}

export function forgetEverywhere() {
  forgetOnDevice(session);
  forgetOnDevice(local);
}

function forgetOnDevice(area) {
  [KEY_TOKEN, KEY_RESUME, KEY_EXPIRES, KEY_OPEN, KEY_SEEN].forEach((key) => area.remove(key));
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
