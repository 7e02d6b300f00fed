/* ClipAI visitor support chat. Protocol: DESIGN.md §5, namespace /chat.
 *
 * Privacy rules the widget keeps: nothing is written to sessionStorage/localStorage before the
 * visitor's first message is acknowledged, no cookie is ever set, the Socket.IO client is only
 * loaded when the visitor opens the chat (or already has a conversation), and every text coming
 * from the network is put into the page with textContent, never as HTML.
 */
import { wireAttachments } from "./attachments.js";
import { onInputChanged, typing } from "./composer.js";
import { ensureConnected } from "./connection.js";
import { eraseConversation, renderConversationTools, resumeWithCode, setKept, startNewConversation } from "./conversation.js";
import { closePanel, isOpen, keepPinnedToEnd, openPanel, stickToEnd } from "./panel.js";
import { wireRating } from "./rating.js";
import { loadSavedConversation, wasOpen } from "./saved.js";
import { submitMessage } from "./sending.js";
import { el, root, state } from "./state.js";
import { reportSeen } from "./thread.js";

function onEscape(event) {
  if (event.key !== "Escape") return;
  event.preventDefault();
  if (!el.confirm.hidden) { el.confirm.hidden = true; el.erase.focus(); return; }
  closePanel();
}

function wireComposer() {
  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submitMessage();
    el.input.focus();
  });
  el.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitMessage();
    }
  });
  el.input.addEventListener("input", () => {
    onInputChanged();
    if (el.input.value) typing.input(); else typing.stop();
  });
}

function wireConversationTools() {
  el.erase.addEventListener("click", () => {
    el.confirm.hidden = false;
    stickToEnd();
    el.eraseNo.focus();
  });
  el.eraseNo.addEventListener("click", () => {
    el.confirm.hidden = true;
    el.erase.focus();
  });
  el.eraseYes.addEventListener("click", eraseConversation);
  el.keep.addEventListener("change", () => setKept(el.keep.checked));
  el.forget.addEventListener("click", () => { setKept(false); el.keep.focus(); });
  el.newConversation.addEventListener("click", startNewConversation);
  el.resumeOpen.addEventListener("click", () => {
    const show = el.resumeForm.hidden;
    el.resumeForm.hidden = !show;
    el.resumeOpen.setAttribute("aria-expanded", String(show));
    if (show) el.resumeInput.focus();
  });
  el.resumeForm.addEventListener("submit", (event) => {
    event.preventDefault();
    resumeWithCode(el.resumeInput.value);
  });
}

function start() {
  el.launcher.addEventListener("click", () => { if (isOpen()) closePanel(); else openPanel(); });
  el.close.addEventListener("click", closePanel);
  el.panel.addEventListener("keydown", onEscape);
  wireComposer();
  wireAttachments();
  wireConversationTools();
  wireRating();
  document.addEventListener("visibilitychange", reportSeen);
  keepPinnedToEnd();
  loadSavedConversation();
  renderConversationTools();
  root.hidden = false;
  if (!state.token) return;
  // A returning visitor: reconnect at once so replies show up, even with the panel closed.
  if (wasOpen()) openPanel(false); else ensureConnected();
}

if (root) start();
