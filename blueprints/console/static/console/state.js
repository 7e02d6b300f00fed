/* The console's elements, settings and state, shared by its modules. */
import { byId } from "../../../static/js/dom.js";
import { formatNumber } from "../../../static/js/format.js";
import { pageLocale, readStrings, translator } from "../../../static/js/i18n.js";
import { UnreadCounts } from "../../../static/js/unread.js";

export const TABS = ["waiting", "open", "closed"];

export const root = byId("console");
export const strings = root ? readStrings("console-strings") : {};
export const t = translator(strings);
export const locale = pageLocale();
// The core's token API and the sessionStorage key every staff page shares (clipai/auth).
export const tokenUrl = root ? root.dataset.tokenUrl : "";
export const tokenKey = root ? root.dataset.tokenKey : "";
export const maxLength = (root && parseInt(root.dataset.maxLength, 10)) || 2000;
export const baseTitle = document.title;

/** A number in the page's locale. */
export const number = (n) => formatNumber(locale, n);

export const el = {
  signin: byId("console-signin"), signinForm: byId("signin-form"), signinNotice: byId("signin-notice"),
  username: byId("signin-username"), password: byId("signin-password"), signinSubmit: byId("signin-submit"),
  app: byId("console-app"), main: byId("console-main"), connection: byId("console-connection"),
  presence: byId("presence-select"), notify: byId("notify-button"), policyLink: byId("policy-link"),
  whoami: byId("console-whoami"), signOut: byId("sign-out"),
  searchForm: byId("search-form"), searchInput: byId("search-input"), searchHead: byId("search-head"),
  searchClear: byId("search-clear"), tabs: byId("queue-tabs"), queue: byId("queue-list"), queuePanel: byId("queue-panel"),
  queueEmpty: byId("queue-empty"), operators: byId("console-operators"),
  canned: byId("canned"), cannedButton: byId("canned-button"), cannedAlert: byId("canned-alert"),
  cannedList: byId("canned-list"), cannedEmpty: byId("canned-empty"), cannedForm: byId("canned-form"),
  cannedShortcut: byId("canned-shortcut"), cannedText: byId("canned-text"),
  placeholder: byId("conversation-placeholder"), gone: byId("conversation-gone"), body: byId("conversation-body"),
  back: byId("conversation-back"), title: byId("conversation-title"), meta: byId("conversation-meta"),
  assignMe: byId("assign-me"), assignSelect: byId("assign-select"),
  close: byId("close-conversation"), reopen: byId("reopen-conversation"),
  messages: byId("conversation-messages"), typing: byId("visitor-typing"), collision: { box: byId("collision"), viewing: byId("collision-viewing"), typing: byId("collision-typing") },
  alerts: byId("conversation-alerts"), replyForm: byId("reply-form"), reply: byId("reply-input"),
  suggestions: byId("canned-suggestions"), counter: byId("reply-counter"), send: byId("reply-send")
};

export const state = {
  token: null,
  profile: null,             // {username, alias, roles, id?}
  socket: null,
  conversations: new Map(),  // id -> conversation
  history: new Map(),        // id -> Map(message id -> message)
  unread: new UnreadCounts(),  // id -> visitor messages not yet read here
  tab: "waiting",
  searchResults: null,       // array of ids while a search is shown
  searchMatches: null,       // id -> the newest message that matched the search
  currentId: null,
  currentTab: null,          // the tab the open conversation was in when the queue was last drawn
  canned: [],
  operators: [],
  drafts: {},
  colleagues: new Map(),     // conversation id -> Map(socket key -> {id, alias, typing}), see collision.js
  suggestionIndex: 0,
  audio: null
};

/** Whether the socket is up, so live signals (typing, seen) can go out. */
export function isLive() {
  return Boolean(state.socket && state.socket.connected);
}
