/* The conversation as a whole: starting, resuming with a code, keeping it on this device,
   erasing it, and starting a new one. */
import { formatDate } from "../../../static/js/format.js";
import { forgetImages } from "../../../static/js/images.js";
import { emitWithAck } from "../../../static/js/socket.js";
import { tray } from "./attachments.js";
import { applyConversationState, reconnect } from "./connection.js";
import { renderMenu } from "./menu.js";
import { renderKeepOffer } from "./offers.js";
import { clearAlert, isOpen, showAlert, stickToEnd } from "./panel.js";
import { resetRating } from "./rating.js";
import { forgetEverywhere, keptUntil, rememberOpen, saveConversation } from "./saved.js";
import { el, locale, state, t } from "./state.js";
import { shareConversation } from "./tabs.js";

export function startConversation(conversation) {
  state.token = conversation.token || state.token;
  state.resumeCode = conversation.resume_code || state.resumeCode;
  applyConversationState(conversation);
  saveConversation();
  rememberOpen(isOpen());
  renderConversationTools();
  renderResumeCode();
  shareConversation();
}

export function adoptResumedConversation() {
  // The server accepted the code, so it now stands for this conversation in this tab.
  state.token = state.resumeAttempt;
  state.resumeCode = state.resumeAttempt.trim().toUpperCase();
  state.resumeAttempt = null;
  el.resumeForm.hidden = true;
  el.resumeOpen.setAttribute("aria-expanded", "false");
  clearAlert("resume");
  saveConversation();
  rememberOpen(isOpen());
}

export function resetConversation() {
  forgetEverywhere();
  Object.assign(state, {
    token: null, kept: false, resumeCode: null, eraseAfter: null, lastSeen: 0, seenSent: 0, operatorReadUpTo: 0,
    closedAt: null, keepOffer: null
  });
  clearAlert("closed");
  state.messages.clear();
  tray.clear();
  forgetImages();
  Array.from(el.messages.children).forEach((li) => {
    if (!li.classList.contains("is-pending")) li.remove();
  });
  el.newConversation.hidden = true;
  resetRating();
  renderConversationTools();
  renderResumeCode();
}

export function renderConversationTools() {
  const active = Boolean(state.token);
  el.tools.hidden = !active;
  el.resume.hidden = active;
  renderMenu();
  renderKeepOffer();
  if (!active) return;
  el.eraseDate.textContent = state.eraseAfter ? t("erase_date", { date: formatDate(locale, state.eraseAfter) }) : "";
  el.kept.hidden = !state.kept;
  el.keptText.textContent = state.kept ? t("kept_until", { date: formatDate(locale, keptUntil()) }) : "";
  stickToEnd();
}

export function renderResumeCode() {
  const show = Boolean(state.resumeCode) && state.operatorsOnline === false;
  el.resumeCode.hidden = !show;
  el.resumeCodeText.textContent = show ? t("resume_code", { code: state.resumeCode }) : "";
}

export function eraseConversation() {
  if (!state.socket || !state.connected) { showAlert("send", t("error_unavailable"), "warn"); return; }
  emitWithAck(state.socket, "erase", {}).then((ack) => {
    if (!ack.ok) {
      showAlert("send", ack.error.message || t("error_unknown"), "error");
      return;
    }
    el.confirm.hidden = true;
    // The server already treats this socket as a fresh visitor.
    resetConversation();
    showAlert("conversation", t("erased"), "info");
    el.input.focus();
  });
}

export function setKept(kept) {
  state.kept = kept;
  state.keepOffer = "answered";
  saveConversation();
  shareConversation();
  if (!kept) showAlert("device", t("forgotten"), "info");
  else clearAlert("device");
  renderConversationTools();
}

export function startNewConversation() {
  resetConversation();
  clearAlert("send");
  clearAlert("closed");
  if (state.socket) reconnect();
  el.input.focus();
}

export function resumeWithCode(typed) {
  const code = typed.trim();
  if (!code) return;
  resetConversation();
  state.resumeAttempt = code;
  reconnect();
}

/** Another open tab shares its conversation: take it up (or follow its choices, if it is ours). */
export function adoptSharedConversation(shared) {
  if (state.token && state.token !== shared.token) return;
  const fresh = !state.token;
  Object.assign(state, {
    token: shared.token, resumeCode: shared.resumeCode || state.resumeCode, kept: Boolean(shared.kept),
    muted: Boolean(shared.muted), keepOffer: shared.keepOffer || null
  });
  saveConversation();
  renderConversationTools();
  renderResumeCode();
  if (fresh) reconnect();
}
