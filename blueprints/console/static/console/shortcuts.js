/* Keyboard first: Ctrl+K (⌘+K) opens the command palette, "?" the shortcut help, and every
   console action is registered in the palette. Commands that mirror a button click that button,
   so each action is decided in one place (main.js wires the buttons). */
import { byId } from "../../../static/js/dom.js";
import { openCanned } from "./canned.js";
import { openConversation } from "./conversation.js";
import { assignedId } from "./conversations.js";
import { closePalette, isPaletteOpen, openPalette, registerAction, registerProvider, wirePalette } from "./palette.js";
import { moveConversation, selectTab } from "./queue.js";
import { conversationAction } from "./reply.js";
import { downloadTranscript } from "./transcript.js";
import { el, state, t, TABS } from "./state.js";

const help = byId("shortcut-help");
const MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** Whether the button is there to be pressed now (shown, enabled, in a shown part of the page). */
function usable(button) {
  return Boolean(button) && !button.disabled && !el.app.hidden && button.getClientRects().length > 0;
}

function clicking(id, label, button, keys) {
  registerAction({ id, label, keys, available: () => usable(button), run: () => button.click() });
}

const conversationOpen = () => state.currentId !== null && !el.app.hidden;
const writable = () => conversationOpen() && !el.reply.disabled;

function focusing(id, label, target, available) {
  registerAction({ id, label, available, run: () => target().focus() });
}

function registerQueueActions() {
  TABS.forEach((tab) => registerAction({
    id: "tab-" + tab, label: () => t("command_tab_" + tab), available: () => !el.app.hidden,
    run: () => { selectTab(tab); byId("tab-" + tab).focus(); }
  }));
  registerAction({ id: "next", label: () => t("command_next"), keys: "Alt+↓", available: () => !el.app.hidden, run: () => moveConversation(1) });
  registerAction({ id: "previous", label: () => t("command_previous"), keys: "Alt+↑", available: () => !el.app.hidden, run: () => moveConversation(-1) });
  focusing("search", () => t("search_label"), () => el.searchInput, () => !el.app.hidden);
  registerAction({
    id: "canned-manage", label: () => t("command_canned"), available: () => !el.app.hidden,
    run: openCanned
  });
}

function registerConversationActions() {
  focusing("reply", () => t("command_reply"), () => el.reply, writable);
  clicking("assign-me", () => t("assign_to_me"), el.assignMe);
  clicking("close", () => t("command_close"), el.close);
  clicking("reopen", () => t("command_reopen"), el.reopen);
  clicking("back", () => t("back_to_queue"), el.back);
  registerAction({ id: "export-text", label: () => t("command_export_text"), available: conversationOpen, run: () => downloadTranscript("text") });
  registerAction({ id: "export-json", label: () => t("command_export_json"), available: conversationOpen, run: () => downloadTranscript("json") });
}

function registerAppActions() {
  ["online", "away"].forEach((status) => registerAction({
    id: "presence-" + status, label: () => t("command_presence_" + status),
    available: () => !el.app.hidden && el.presence.value !== status,
    run: () => { el.presence.value = status; el.presence.dispatchEvent(new Event("change")); }
  }));
  clicking("notifications", () => t("notifications_enable"), el.notify);
  registerAction({ id: "policy", label: () => t("publish_policy"), available: () => usable(el.policyLink), run: () => el.policyLink.click() });
  registerAction({ id: "help", label: () => t("help_title"), keys: "?", available: () => true, run: openHelp });
  clicking("sign-out", () => t("sign_out"), el.signOut);
}

function matchesWords(label, query) {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  return words.every((word) => label.toLocaleLowerCase().includes(word));
}

/** "#12" or "12": open that conversation; operators and canned replies by name. */
function registerProviders() {
  registerProvider((query) => {
    const match = /^#?(\d{1,9})$/.exec(query);
    if (!match || el.app.hidden) return [];
    const id = Number(match[1]);
    return [{ id: "open-" + id, label: t("command_open", { id }), run: () => openConversation(id, true) }];
  });
  registerProvider((query) => {
    if (!conversationOpen() || !usable(el.assignSelect)) return [];
    const conversation = state.conversations.get(state.currentId) || {};
    return state.operators
      .filter((operator) => operator.id !== undefined && operator.id !== assignedId(conversation))
      .map((operator) => ({ id: "assign-" + operator.id, label: t("command_assign", { name: operator.alias }),
        run: () => conversationAction("assign", { to: operator.id }) }))
      .filter((action) => query && matchesWords(action.label, query));
  });
  registerProvider((query) => {
    if (!writable()) return [];
    return state.canned
      .map((reply) => ({ id: "canned-" + reply.id, label: t("command_insert_canned", { shortcut: reply.shortcut }),
        run: () => insertText(reply.text) }))
      .filter((action) => query && matchesWords(action.label, query));
  });
}

function insertText(text) {
  const start = el.reply.selectionStart;
  el.reply.setRangeText(text, start, el.reply.selectionEnd, "end");
  el.reply.dispatchEvent(new Event("input"));
  el.reply.focus();
}

function openHelp() {
  if (!help.open) help.showModal();
}

function typingInAField(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

function onKey(event) {
  if (el.app.hidden) return;
  if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
    event.preventDefault();
    if (isPaletteOpen()) closePalette(); else { if (help.open) help.close(); openPalette(); }
    return;
  }
  if (event.key === "?" && !event.ctrlKey && !event.metaKey && !typingInAField(event.target) && !isPaletteOpen()) {
    event.preventDefault();
    openHelp();
  }
}

export function wireShortcuts() {
  wirePalette();
  registerProviders();
  registerQueueActions();
  registerConversationActions();
  registerAppActions();
  byId("palette-button").addEventListener("click", openPalette);
  byId("help-button").addEventListener("click", openHelp);
  byId("help-close").addEventListener("click", () => help.close());
  ["text", "json"].forEach((kind) => byId("export-" + kind).addEventListener("click", () => {
    byId("export-menu").open = false;
    downloadTranscript(kind);
  }));
  document.querySelectorAll("[data-mod-key]").forEach((node) => { node.textContent = MAC ? "⌘" : "Ctrl"; });
  document.addEventListener("keydown", onKey);
}
