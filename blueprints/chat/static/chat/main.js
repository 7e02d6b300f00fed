/* ClipAI visitor support chat. Protocol: DESIGN.md §5, namespace /chat.
 *
 * Privacy rules the widget keeps: nothing is written to sessionStorage/localStorage before the
 * visitor's first message is acknowledged, no cookie is ever set, the Socket.IO client is only
 * loaded when the visitor opens the chat (or already has a conversation), and every text coming
 * from the network is put into the page with textContent, never as HTML.
 */
import { wireAttachments } from "./attachments.js";
import { enterSends, onInputChanged, touchOnly, typing } from "./composer.js";
import { ensureConnected } from "./connection.js";
import {
  adoptSharedConversation, eraseConversation, renderConversationTools, resumeWithCode, setKept, startNewConversation
} from "./conversation.js";
import { renderLayout } from "./layout.js";
import { closeMenu, isMenuOpen, wireMenu } from "./menu.js";
import { wireNotice } from "./notice.js";
import { offerResumeFromLink, wireOffers } from "./offers.js";
import { closePanel, isOpen, keepPinnedToEnd, openPanel, stickToEnd } from "./panel.js";
import { wireRating } from "./rating.js";
import { loadSavedConversation, wasOpen } from "./saved.js";
import { restoreOutbox, submitMessage } from "./sending.js";
import { el, root, state } from "./state.js";
import { startTabs } from "./tabs.js";
import { reportSeen } from "./thread.js";

function onEscape(event) {
  if (event.key !== "Escape") return;
  event.preventDefault();
  if (!el.confirm.hidden) { el.confirm.hidden = true; el.erase.focus(); return; }
  if (isMenuOpen()) { closeMenu(); return; }
  closePanel();
}

function wireComposer() {
  el.composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submitMessage();
    el.input.focus();
  });
  el.input.addEventListener("keydown", (event) => {
    if (enterSends(event)) {
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
  el.forget.addEventListener("click", () => { setKept(false); el.input.focus(); });
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
  wireMenu(setKept);
  wireOffers({ setKept, resumeWithCode });
  wireNotice(openPanel);
  el.help.hidden = touchOnly;
  document.addEventListener("visibilitychange", () => { reportSeen(); if (!document.hidden) renderLayout(); });
  keepPinnedToEnd();
  loadSavedConversation();
  renderConversationTools();
  root.hidden = false;
  const waiting = restoreOutbox();
  startTabs(adoptSharedConversation);
  if (offerResumeFromLink(openPanel)) return;
  if (!state.token) { if (waiting) openPanel(false); return; }
  // A returning visitor: reconnect at once so replies show up, even with the panel closed.
  if (wasOpen()) openPanel(false); else ensureConnected();
}

if (root) start();
