/* ClipAI operator console. Protocol: DESIGN.md §5, namespace /console, token API /api/auth/token.
 *
 * The bearer token lives in sessionStorage only. Every text that comes from a visitor or an
 * operator is put into the page with textContent, never as HTML.
 */
import { byId } from "../../../static/js/dom.js";
import { session } from "../../../static/js/storage.js";
import { wireAttachments } from "./attachments.js";
import { onSuggestionKey, renderSuggestions, wireCanned } from "./canned.js";
import { announceViewing } from "./collision.js";
import { showConversation } from "./conversation.js";
import { assignedId, learnMyId } from "./conversations.js";
import { connect, emit } from "./link.js";
import { reportSeen } from "./live.js";
import { renderNotifyButton, renderPresenceDot, unlockAudio } from "./notify.js";
import { moveConversation, renderQueue, selectTab } from "./queue.js";
import { conversationAction, onReplyInput, sendReply, typing } from "./reply.js";
import { wireNotes } from "./notes.js";
import { search } from "./search.js";
import { wireShortcuts } from "./shortcuts.js";
import { KEY_CURRENT, KEY_PRESENCE, restoreSession, saveDraft, showApp, showSignIn, signIn, signOut } from "./session.js";
import { el, root, state, TABS } from "./state.js";
import { wireTags } from "./tags.js";
import { wireTransfer } from "./transfer.js";

function wireHeader() {
  el.signinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(el.username.value.trim(), el.password.value);
  });
  el.signOut.addEventListener("click", signOut);
  el.presence.addEventListener("change", () => {
    session.save(KEY_PRESENCE, el.presence.value);
    renderPresenceDot();
    emit("presence", { status: el.presence.value });
  });
  el.notify.addEventListener("click", () => {
    unlockAudio();
    if (!("Notification" in window)) return;
    window.Notification.requestPermission().then(renderNotifyButton, renderNotifyButton);
  });
}

function wireQueue() {
  el.tabs.addEventListener("click", (event) => {
    const button = event.target.closest("[data-tab]");
    if (button) selectTab(button.dataset.tab);
  });
  el.tabs.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    const forward = (event.key === "ArrowRight") !== (document.documentElement.dir === "rtl");
    const next = TABS[(TABS.indexOf(state.tab) + (forward ? 1 : TABS.length - 1)) % TABS.length];
    selectTab(next);
    byId("tab-" + next).focus();
  });
  el.searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    search(el.searchInput.value.trim());
  });
  el.searchClear.addEventListener("click", () => {
    el.searchInput.value = "";
    selectTab(state.tab);
    el.searchInput.focus();
  });
}

function wireConversation() {
  el.back.addEventListener("click", () => {
    saveDraft(state.currentId, el.reply.value);
    const id = state.currentId;
    state.currentId = null;
    announceViewing(null);
    session.remove(KEY_CURRENT);
    showConversation(null);
    renderQueue();
    const button = el.queue.querySelector('[data-id="' + id + '"]');
    if (button) button.focus();
  });
  el.assignMe.addEventListener("click", () => {
    conversationAction("assign", {}, (conversation) => learnMyId(assignedId(conversation)));
  });
  el.assignSelect.addEventListener("change", () => {
    if (el.assignSelect.value) conversationAction("assign", { to: Number(el.assignSelect.value) });
  });
  el.close.addEventListener("click", () => conversationAction("close"));
  el.reopen.addEventListener("click", () => conversationAction("reopen"));
}

function wireReply() {
  el.replyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    sendReply();
    el.reply.focus();
  });
  el.reply.addEventListener("input", () => {
    state.suggestionIndex = 0;
    saveDraft(state.currentId, el.reply.value);
    onReplyInput();
    if (el.reply.value) typing.input(); else typing.stop();
  });
  el.reply.addEventListener("click", renderSuggestions);
  el.reply.addEventListener("blur", () => { el.suggestions.hidden = true; });
  el.reply.addEventListener("keydown", (event) => {
    if (onSuggestionKey(event)) return;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendReply();
    }
  });
}

function wireDocument() {
  document.addEventListener("keydown", (event) => {
    if (el.app.hidden) return;
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveConversation(event.key === "ArrowDown" ? 1 : -1);
    }
  });
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) return;
    if (state.currentId !== null) state.unread.markRead(state.currentId);
    renderQueue();
    reportSeen();
  });
}

function start() {
  wireHeader();
  wireQueue();
  wireConversation();
  wireReply();
  wireNotes();
  wireTags();
  wireTransfer();
  wireAttachments();
  wireDocument();
  wireCanned();
  wireShortcuts();
  restoreSession();
  if (!state.token) { showSignIn(); return; }
  showApp();
  connect();
}

if (root) start();
