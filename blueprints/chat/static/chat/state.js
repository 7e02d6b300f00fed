/* The widget's elements, settings and state, shared by its modules. */
import { formatNumber } from "../../../static/js/format.js";
import { pageLocale, readStrings, translator } from "../../../static/js/i18n.js";

export const DAY_MS = 86400000;

/* Where the widget's elements are: the page, or the shadow root chat/embed.js made on another
   site (it names it before importing this module, so that site's CSS cannot reach the widget). */
const scope = globalThis.clipaiChatShadowRoot || document;
/** The widget's element with this id. */
export const find = (id) => scope.getElementById(id);
const byId = find;

export const root = byId("chat-widget");
export const strings = root ? readStrings("chat-strings", scope) : {};
export const t = translator(strings);
export const locale = (root && root.lang) || pageLocale();
/** The chat server's origin ("" on its own pages; the embedding script's origin on other sites). */
export const server = (root && root.dataset.server) || "";
export const maxLength = (root && parseInt(root.dataset.maxLength, 10)) || 2000;
export const retentionDays = (root && parseInt(root.dataset.retentionDays, 10)) || 30;

/** A number in the page's locale. */
export const number = (n) => formatNumber(locale, n);

export const el = {
  launcher: byId("chat-launcher"), unread: byId("chat-unread"), panel: byId("chat-panel"),
  close: byId("chat-close"), status: byId("chat-status"), statusText: byId("chat-status-text"),
  scroll: byId("chat-scroll"), offline: byId("chat-offline"), resumeCode: byId("chat-resume-code"),
  resumeCodeText: byId("chat-resume-code-text"), messages: byId("chat-messages"),
  typing: byId("chat-typing"), alerts: byId("chat-alerts"), composer: byId("chat-composer"),
  input: byId("chat-input"), send: byId("chat-send"), hint: byId("chat-hint"),
  counter: byId("chat-counter"), tools: byId("chat-conversation-tools"),
  eraseDate: byId("chat-erase-date"), erase: byId("chat-erase"), keep: byId("chat-keep"),
  kept: byId("chat-kept"), keptText: byId("chat-kept-text"), forget: byId("chat-forget"),
  confirm: byId("chat-confirm"), eraseYes: byId("chat-erase-yes"), eraseNo: byId("chat-erase-no"),
  resume: byId("chat-resume"), resumeOpen: byId("chat-resume-open"),
  resumeForm: byId("chat-resume-form"), resumeInput: byId("chat-resume-input"),
  newConversation: byId("chat-new"), help: byId("chat-help"),
  menuButton: byId("chat-menu-button"), menu: byId("chat-menu"), menuResume: byId("chat-menu-resume"),
  menuCode: byId("chat-menu-code"), copyCode: byId("chat-copy-code"), resumeLink: byId("chat-resume-link"),
  copyLink: byId("chat-copy-link"), downloadText: byId("chat-download-text"),
  downloadHtml: byId("chat-download-html"), sound: byId("chat-sound"),
  keepOffer: byId("chat-keep-offer"), keepOfferText: byId("chat-keep-offer-text"),
  keepYes: byId("chat-keep-yes"), keepNo: byId("chat-keep-no"),
  resumeOffer: byId("chat-resume-offer"), resumeOfferText: byId("chat-resume-offer-text"),
  resumeOfferYes: byId("chat-resume-offer-yes"), resumeOfferNo: byId("chat-resume-offer-no"),
  preview: byId("chat-preview"), previewOpen: byId("chat-preview-open"), previewWho: byId("chat-preview-who"),
  previewText: byId("chat-preview-text"), previewDismiss: byId("chat-preview-dismiss")
};

export const state = {
  socket: null,
  token: null,            // the conversation's secret, once the first message created it
  kept: false,            // token lives in localStorage (opt-in) instead of sessionStorage
  resumeCode: null,
  resumeAttempt: null,    // a code the visitor typed, sent once in the connect auth
  eraseAfter: null,       // Date
  messages: new Map(),    // id -> {message, li}
  lastSeen: 0,            // highest stored message id shown
  seenSent: 0,            // highest id reported with `seen`
  operatorReadUpTo: 0,    // highest id the operators have read
  outbox: [],             // [{client_msg_id, text}] saved by a previous page, sent on connecting
  unread: 0,
  hiddenUnread: 0,        // replies that arrived while the tab was hidden (the tab title counts them)
  muted: false,           // no reply sound
  keepOffer: null,        // "open" after the first message, "answered" once the visitor chose
  operatorsOnline: null,
  closedAt: null,         // the newest message id when support closed the conversation (null: open)
  connected: false,
  everConnected: false,
  pinned: true            // the message list shows its newest end
};

/** Whether the server can be told things about this conversation now. */
export function canTalk() {
  return Boolean(state.socket && state.connected && state.token);
}
