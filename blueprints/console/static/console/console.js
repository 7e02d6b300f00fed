/* ClipAI operator console. Protocol: DESIGN.md §5, namespace /console, token API /api/auth/token.
 *
 * The bearer token lives in sessionStorage only. Every text that comes from a visitor or an
 * operator is put into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var KEY_TOKEN = "clipai.console.token";
  var KEY_PROFILE = "clipai.console.profile";
  var KEY_DRAFTS = "clipai.console.drafts";
  var KEY_CURRENT = "clipai.console.current";
  var KEY_PRESENCE = "clipai.console.presence";
  var TABS = ["waiting", "open", "closed"];
  var ACK_TIMEOUT_MS = 15000;
  var TYPING_REPEAT_MS = 3000;
  var TYPING_IDLE_MS = 4000;
  var VISITOR_TYPING_MAX_MS = 10000;

  var root = document.getElementById("console");
  if (!root) return;
  var strings = JSON.parse(document.getElementById("console-strings").textContent);
  var locale = document.documentElement.lang || "en";
  var apiRoot = root.dataset.apiRoot || "";
  var maxLength = parseInt(root.dataset.maxLength, 10) || 2000;
  var baseTitle = document.title;

  function byId(id) { return document.getElementById(id); }
  var el = {
    signin: byId("console-signin"), signinForm: byId("signin-form"), signinNotice: byId("signin-notice"),
    username: byId("signin-username"), password: byId("signin-password"), signinSubmit: byId("signin-submit"),
    app: byId("console-app"), main: byId("console-main"), connection: byId("console-connection"),
    presence: byId("presence-select"), notify: byId("notify-button"), policyLink: byId("policy-link"),
    whoami: byId("console-whoami"), signOut: byId("sign-out"),
    searchForm: byId("search-form"), searchInput: byId("search-input"), searchHead: byId("search-head"),
    searchClear: byId("search-clear"), tabs: byId("queue-tabs"), queue: byId("queue-list"), queuePanel: byId("queue-panel"),
    queueEmpty: byId("queue-empty"), operators: byId("console-operators"),
    cannedList: byId("canned-list"), cannedEmpty: byId("canned-empty"), cannedForm: byId("canned-form"),
    cannedShortcut: byId("canned-shortcut"), cannedText: byId("canned-text"),
    placeholder: byId("conversation-placeholder"), body: byId("conversation-body"),
    back: byId("conversation-back"), title: byId("conversation-title"), meta: byId("conversation-meta"),
    assignMe: byId("assign-me"), assignSelect: byId("assign-select"),
    close: byId("close-conversation"), reopen: byId("reopen-conversation"),
    messages: byId("conversation-messages"), typing: byId("visitor-typing"),
    alerts: byId("conversation-alerts"), replyForm: byId("reply-form"), reply: byId("reply-input"),
    suggestions: byId("canned-suggestions"), counter: byId("reply-counter"), send: byId("reply-send")
  };

  var state = {
    token: null,
    profile: null,             // {username, alias, roles, id?}
    socket: null,
    conversations: new Map(),  // id -> conversation
    history: new Map(),        // id -> Map(message id -> message)
    unread: new Map(),         // id -> count of visitor messages not yet read here
    tab: "waiting",
    searchResults: null,       // array of ids while a search is shown
    searchMatches: null,       // id -> the newest message that matched the search
    currentId: null,
    canned: [],
    operators: [],
    drafts: {},
    typingSentAt: 0,
    typingIdleTimer: null,
    visitorTypingTimer: null,
    suggestionIndex: 0,
    audio: null
  };

  /* ---------- strings and formatting ---------- */

  var t = ClipAI.translator(strings);

  function formatNumber(n) { return ClipAI.formatNumber(locale, n); }

  function formatSeconds(n) {
    try { return new Intl.NumberFormat(locale, { style: "unit", unit: "second", unitDisplay: "long" }).format(n); }
    catch (e) { return formatNumber(n) + " s"; }
  }

  function formatWhen(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return "";
    var sameDay = date.toDateString() === new Date().toDateString();
    var options = sameDay ? { hour: "numeric", minute: "2-digit" } : { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" };
    try { return new Intl.DateTimeFormat(locale, options).format(date); } catch (e) { return date.toLocaleString(); }
  }

  // HTML's <time datetime> allows at most three digits of a second; the server sends six.
  function datetimeAttribute(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toISOString();
  }

  function languageName(code) {
    if (!code) return "?";
    try {
      var name = new Intl.DisplayNames([locale], { type: "language" }).of(code);
      return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : code;
    } catch (e) { return code; }
  }

  var newClientMessageId = ClipAI.newClientMessageId;

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  /* ---------- session storage ---------- */

  function load(key, fallback) {
    try {
      var raw = window.sessionStorage.getItem(key);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* memory only */ }
  }
  function saveRaw(key, value) {
    try { window.sessionStorage.setItem(key, value); } catch (e) { /* memory only */ }
  }
  function loadRaw(key) {
    try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
  }
  function drop(key) {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing stored */ }
  }

  function saveDraft(id, text) {
    if (id === null) return;
    if (text) state.drafts[id] = text; else delete state.drafts[id];
    save(KEY_DRAFTS, state.drafts);
  }

  /* ---------- signing in and out ---------- */

  function showSignIn(notice) {
    el.app.hidden = true;
    el.signin.hidden = false;
    el.signinNotice.hidden = !notice;
    el.signinNotice.textContent = notice || "";
    document.title = baseTitle;
    (el.username.value ? el.password : el.username).focus();
  }

  function showApp() {
    el.signin.hidden = true;
    el.app.hidden = false;
    var profile = state.profile || {};
    el.whoami.textContent = profile.alias || profile.username ? t("signed_in_as", { name: profile.alias || profile.username }) : "";
    el.policyLink.hidden = !(profile.roles || []).includes("maintainer");
    el.presence.value = load(KEY_PRESENCE, "online");
    renderPresenceDot();
    renderNotifyButton();
  }

  function signIn(username, password) {
    el.signinSubmit.disabled = true;
    el.signinSubmit.textContent = t("signing_in");
    return fetch(apiRoot + "/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ username: username, password: password }),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok || !body.token) {
          throw new Error((body.error && body.error.message) || t("sign_in_failed"));
        }
        state.token = body.token;
        state.profile = { username: body.username || username, alias: body.alias || "", roles: body.roles || [] };
        saveRaw(KEY_TOKEN, state.token);
        save(KEY_PROFILE, state.profile);
        el.password.value = "";
        showApp();
        connect();
      });
    }, function () {
      throw new Error(t("network_error"));
    }).catch(function (error) {
      el.signinNotice.hidden = false;
      el.signinNotice.textContent = error.message;
      el.password.focus();
    }).finally(function () {
      el.signinSubmit.disabled = false;
      el.signinSubmit.textContent = t("sign_in");
    });
  }

  function signOut() {
    var token = state.token;
    if (token) {
      fetch(apiRoot + "/api/auth/token", {
        method: "DELETE", headers: { "Authorization": "Bearer " + token }, credentials: "omit", cache: "no-store"
      }).catch(function () { /* the token expires on its own */ });
    }
    forgetSession();
    // A deliberate sign-out leaves nothing of the conversations behind in this tab.
    state.drafts = {};
    drop(KEY_DRAFTS);
    drop(KEY_CURRENT);
    resetView();
    showSignIn();
  }

  function forgetSession() {
    state.token = null;
    drop(KEY_TOKEN);
    drop(KEY_PROFILE);
    if (state.socket) {
      state.socket.off();
      state.socket.disconnect();
      state.socket = null;
    }
  }

  function sessionExpired() {
    // Keep drafts and the open conversation: the operator picks up where they were.
    saveDraft(state.currentId, el.reply.value);
    save(KEY_CURRENT, state.currentId);
    forgetSession();
    showSignIn(t("session_ended"));
  }

  function resetView() {
    state.conversations.clear();
    state.history.clear();
    state.unread.clear();
    state.currentId = null;
    state.searchResults = null;
    el.reply.value = "";
    showConversation(null);
    renderQueue();
  }

  /* ---------- the socket ---------- */

  function connect() {
    if (!window.io) { setConnection(t("network_error")); return; }
    var socket = window.io("/console", {
      auth: function (callback) { callback({ token: state.token }); },
      reconnectionDelayMax: 10000
    });
    state.socket = socket;
    socket.on("connect", onConnect);
    socket.on("connect_error", function (err) {
      if (err && err.data && err.data.code === "unauthorized") { sessionExpired(); return; }
      if (err && err.data && err.data.code === "forbidden") {
        // A maintainer without the operator role: the policy link still works, the queue does not.
        setConnection(err.data.message || t("error_forbidden"));
        return;
      }
      setConnection(t("connection_lost"));
      if (!socket.active) window.setTimeout(function () { if (state.socket === socket) socket.connect(); }, 5000);
    });
    socket.on("disconnect", function (reason) {
      setConnection(t("connection_lost"));
      // The server ends sockets of revoked tokens; reconnecting tells us which case this is.
      if (reason === "io server disconnect") socket.connect();
    });
    socket.on("conversation", onConversationEvent);
    socket.on("message", onMessageEvent);
    socket.on("typing", onTypingEvent);
    socket.on("seen", onSeenEvent);
    socket.on("presence", onPresenceEvent);
  }

  /* Resolve true once the socket is connected (at once if it is), false after the ack timeout. */
  function whenConnected() {
    var socket = state.socket;
    if (!socket) return Promise.resolve(false);
    if (socket.connected) return Promise.resolve(true);
    return new Promise(function (resolve) {
      var timer = setTimeout(function () { finish(false); }, ACK_TIMEOUT_MS);
      function finish(connected) {
        clearTimeout(timer);
        socket.off("connect", onConnect);
        socket.off("connect_error", onRefused);
        resolve(connected);
      }
      function onConnect() { finish(true); }
      function onRefused(err) { if (err && err.data && err.data.code === "unauthorized") finish(false); }
      socket.once("connect", onConnect);
      socket.on("connect_error", onRefused);
    });
  }

  function emit(event, payload) {
    return whenConnected().then(function (connected) {
      return connected ? emitConnected(event, payload) : { ok: false, error: { code: "unavailable" } };
    });
  }

  function emitConnected(event, payload) {
    return new Promise(function (resolve) {
      state.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, function (err, ack) {
        if (err || !ack) { resolve({ ok: false, error: { code: "timeout" } }); return; }
        if (!ack.ok && ack.error && ack.error.code === "unauthorized") sessionExpired();
        resolve(ack);
      });
    });
  }

  function onConnect() {
    setConnection("");
    emit("presence", { status: el.presence.value });
    Promise.all(TABS.map(function (status) { return emit("list", { status: status }); })).then(function (acks) {
      acks.forEach(function (ack) {
        if (ack.ok && Array.isArray(ack.conversations)) ack.conversations.forEach(upsertConversation);
      });
      renderQueue();
      var wanted = state.currentId !== null ? state.currentId : load(KEY_CURRENT, null);
      if (wanted !== null && state.conversations.has(wanted)) openConversation(wanted, false);
    });
    loadCanned();
  }

  function setConnection(text) {
    el.connection.textContent = text;
    el.connection.hidden = !text;
  }

  /* ---------- conversations ---------- */

  function unwrap(payload, key) {
    return payload && payload[key] && typeof payload[key] === "object" ? payload[key] : payload;
  }

  function upsertConversation(conversation) {
    if (!conversation || conversation.id === undefined) return null;
    var known = state.conversations.get(conversation.id);
    var merged = Object.assign({}, known || {}, conversation);
    state.conversations.set(conversation.id, merged);
    // The server counts visitor messages no operator has read yet; the one on screen is read.
    if (typeof conversation.unread === "number") {
      state.unread.set(conversation.id, isWatching(conversation.id) ? 0 : conversation.unread);
    }
    return merged;
  }

  function isWatching(id) {
    return id === state.currentId && !document.hidden && !el.app.hidden;
  }

  function tabOf(conversation) {
    // The server says "waiting" (open, no operator reply yet), "open" or "closed".
    if (conversation.status === "closed" || conversation.status === "waiting") return conversation.status;
    return conversation.answered === false ? "waiting" : "open";
  }

  function activityOf(conversation) {
    return new Date(conversation.last_activity_at || conversation.created_at || 0).getTime() || 0;
  }

  function assignedId(conversation) {
    var assigned = conversation.assigned_to;
    if (assigned === null || assigned === undefined) return null;
    return typeof assigned === "object" ? assigned.id : assigned;
  }

  function isMine(conversation) {
    var me = state.profile || {};
    return me.id !== undefined && me.id !== null && assignedId(conversation) === me.id;
  }

  function assignedName(conversation) {
    var assigned = conversation.assigned_to;
    if (assigned === null || assigned === undefined) return null;
    if (typeof assigned === "object" && assigned.alias) return assigned.alias;
    var id = assignedId(conversation);
    var operator = state.operators.find(function (op) { return op.id === id; });
    return operator ? operator.alias : "#" + id;
  }

  function learnMyId(id) {
    // The token API does not say who we are by id; our own acks and presence do.
    var me = state.profile || {};
    if (typeof id !== "number" || me.id === id) return;
    me.id = id;
    state.profile = me;
    save(KEY_PROFILE, me);
    renderQueue();
    if (state.currentId !== null) renderConversationHead();
  }

  function visibleIds() {
    if (state.searchResults) return state.searchResults.filter(function (id) { return state.conversations.has(id); });
    return Array.from(state.conversations.values())
      .filter(function (conversation) { return tabOf(conversation) === state.tab; })
      .sort(function (a, b) { return activityOf(b) - activityOf(a) || b.id - a.id; })
      .map(function (conversation) { return conversation.id; });
  }

  function previewOf(conversation) {
    var match = state.searchResults && state.searchMatches && state.searchMatches.get(conversation.id);
    if (match) return match.text;
    var last = conversation.last_message;
    if (last && typeof last === "object") return last.text || "";
    if (typeof last === "string") return last;
    var history = state.history.get(conversation.id);
    if (history && history.size) return Array.from(history.values()).pop().text;
    return conversation.preview || t("no_messages");
  }

  function renderQueue() {
    TABS.forEach(function (tab) {
      var tabButton = byId("tab-" + tab);
      var selected = !state.searchResults && tab === state.tab;
      tabButton.setAttribute("aria-selected", String(selected));
      tabButton.tabIndex = selected ? 0 : -1;
      var count = 0;
      var unread = 0;
      state.conversations.forEach(function (conversation) {
        if (tabOf(conversation) !== tab) return;
        count += 1;
        unread += state.unread.get(conversation.id) || 0;
      });
      var badge = byId("count-" + tab);
      badge.textContent = count ? formatNumber(count) : "";
      badge.classList.toggle("has-unread", unread > 0);
    });
    el.searchHead.hidden = !state.searchResults;
    el.queuePanel.setAttribute("aria-labelledby", state.searchResults ? "search-head" : "tab-" + state.tab);
    var ids = visibleIds();
    el.queue.textContent = "";
    ids.forEach(function (id) { el.queue.appendChild(queueItem(state.conversations.get(id))); });
    el.queueEmpty.hidden = ids.length > 0;
    el.queueEmpty.textContent = state.searchResults ? t("search_empty") : t("empty_" + state.tab);
    renderTitle();
  }

  function queueItem(conversation) {
    var li = make("li");
    var button = make("button", "console-queue-item");
    button.type = "button";
    button.dataset.id = String(conversation.id);
    if (conversation.id === state.currentId) button.setAttribute("aria-current", "true");
    var top = make("span", "console-queue-top");
    top.append(make("strong", null, t("conversation_number", { id: conversation.id })));
    top.append(make("span", "console-lang", (conversation.locale || "?").toUpperCase()));
    top.append(make("span", "console-when", formatWhen(conversation.last_activity_at)));
    var preview = make("span", "console-preview", previewOf(conversation));
    preview.dir = "auto";
    var bottom = make("span", "console-queue-bottom");
    var name = assignedName(conversation);
    bottom.append(make("span", "console-assigned", isMine(conversation) ? t("assigned_to_me") : (name ? t("assigned_to", { name: name }) : t("unassigned"))));
    var unread = state.unread.get(conversation.id) || 0;
    if (unread) {
      // A span cannot carry aria-label: screen readers get the sentence, eyes the number.
      var label = t("unread_count", { count: formatNumber(unread) });
      var badge = make("span", "console-unread", formatNumber(unread));
      badge.title = label;
      badge.setAttribute("aria-hidden", "true");
      bottom.append(badge, make("span", "visually-hidden", label));
    }
    button.append(top, preview, bottom);
    button.addEventListener("click", function () { openConversation(conversation.id, true); });
    li.appendChild(button);
    return li;
  }

  function totalUnread() {
    var total = 0;
    state.unread.forEach(function (count) { total += count; });
    return total;
  }

  function renderTitle() {
    var total = totalUnread();
    document.title = (total ? "(" + total + ") " : "") + baseTitle;
  }

  function onConversationEvent(payload) {
    var conversation = unwrap(payload, "conversation");
    if (!conversation || conversation.id === undefined) return;
    if (conversation.status === "erased") { forgetConversation(conversation.id); return; }
    var isNew = !state.conversations.has(conversation.id);
    var merged = upsertConversation(conversation);
    if (isNew && tabOf(merged) !== "closed") notify(t("notify_new_conversation", { id: merged.id }), merged.id);
    renderQueue();
    if (merged.id === state.currentId) {
      renderConversationHead();
      renderReceipts();
      reportSeen();
    }
  }

  function forgetConversation(id) {
    state.conversations.delete(id);
    state.history.delete(id);
    state.unread.delete(id);
    saveDraft(id, "");
    if (state.searchResults) state.searchResults = state.searchResults.filter(function (other) { return other !== id; });
    if (state.currentId === id) {
      state.currentId = null;
      drop(KEY_CURRENT);
      el.reply.value = "";
      showConversation(null);
    }
    renderQueue();
  }

  /* ---------- one conversation ---------- */

  function showConversation(id) {
    el.placeholder.hidden = id !== null;
    el.body.hidden = id === null;
    el.main.classList.toggle("has-conversation", id !== null);
  }

  function openConversation(id, focus) {
    if (state.currentId !== null && state.currentId !== id) {
      saveDraft(state.currentId, el.reply.value);
      stopTyping();
    }
    state.currentId = id;
    save(KEY_CURRENT, id);
    state.unread.set(id, 0);
    showConversation(id);
    renderConversationHead();
    el.messages.textContent = "";
    el.alerts.textContent = "";
    showVisitorTyping(false);
    el.reply.value = state.drafts[id] || "";
    onReplyInput();
    renderQueue();
    var known = state.history.get(id);
    if (known) known.forEach(function (message) { renderMessage(id, message); });
    loadHistory(id, 0);
    if (focus) el.reply.focus();
  }

  function loadHistory(id, after) {
    emit("history", { conversation_id: id, after: after }).then(function (ack) {
      if (!ack.ok) {
        if (ack.error && ack.error.code === "not_found") forgetConversation(id);
        else if (state.currentId === id) showAlert(errorText(ack.error));
        return;
      }
      if (ack.conversation) upsertConversation(ack.conversation);
      var last = after;
      (ack.messages || []).forEach(function (message) {
        addMessage(id, message);
        last = Math.max(last, message.id);
      });
      if (ack.more && last > after) { loadHistory(id, last); return; }
      if (state.currentId !== id) return;
      renderConversationHead();
      renderReceipts();
      reportSeen();
    });
  }

  function renderConversationHead() {
    var conversation = state.conversations.get(state.currentId);
    if (!conversation) return;
    var tab = tabOf(conversation);
    el.title.textContent = t("conversation_number", { id: conversation.id });
    var name = assignedName(conversation);
    var parts = [
      t("visitor_language", { language: languageName(conversation.locale) }),
      t("status_" + tab),
      isMine(conversation) ? t("assigned_to_me") : (name ? t("assigned_to", { name: name }) : t("unassigned"))
    ];
    el.meta.textContent = parts.join(" · ");
    var closed = tab === "closed";
    el.close.hidden = closed;
    el.reopen.hidden = !closed;
    el.assignMe.hidden = isMine(conversation);
    el.reply.disabled = closed;
    el.send.disabled = closed;
    el.reply.placeholder = closed ? t("closed_help") : t("reply_placeholder");
    renderAssignOptions(conversation);
  }

  function renderAssignOptions(conversation) {
    var select = el.assignSelect;
    while (select.options.length > 1) select.remove(1);
    state.operators.forEach(function (operator) {
      if (operator.id === undefined) return;
      var option = make("option", null, operator.alias || operator.username);
      option.value = String(operator.id);
      if (operator.status) option.textContent += " (" + t("presence_" + operator.status) + ")";
      select.appendChild(option);
    });
    select.value = "";
    select.hidden = select.options.length <= 1;
  }

  function historyOf(id) {
    if (!state.history.has(id)) state.history.set(id, new Map());
    return state.history.get(id);
  }

  function addMessage(conversationId, message) {
    if (!message || message.id === undefined) return false;
    var history = historyOf(conversationId);
    if (history.has(message.id)) return false;
    history.set(message.id, message);
    if (conversationId === state.currentId) renderMessage(conversationId, message);
    return true;
  }

  function authorLabel(message) {
    if (message.author === "visitor") return t("author_visitor");
    if (message.author === "system") return t("author_system");
    var alias = message.operator_alias || message.alias || "";
    var me = state.profile || {};
    if (alias && alias === me.alias) return t("author_me", { alias: alias });
    return alias || t("author_system");
  }

  function messageElement(author, who, text) {
    var li = make("li", "console-message from-" + author);
    var body = make("p", "console-message-text", text);
    body.dir = "auto";  // visitors write in their own language, whatever the console's
    li.append(make("p", "console-message-author", who), body, make("p", "console-message-meta"));
    return li;
  }

  function renderMessage(conversationId, message) {
    var li = messageElement(message.author, authorLabel(message), message.text);
    li.dataset.id = String(message.id);
    renderMessageMeta(li, conversationId, message);
    var items = el.messages.children;
    for (var i = 0; i < items.length; i += 1) {
      if (items[i].classList.contains("is-pending") || Number(items[i].dataset.id) > message.id) {
        el.messages.insertBefore(li, items[i]);
        scrollToEnd();
        return;
      }
    }
    el.messages.appendChild(li);
    scrollToEnd();
  }

  function renderMessageMeta(li, conversationId, message) {
    var meta = li.querySelector(".console-message-meta");
    meta.textContent = "";
    var time = make("time", null, formatWhen(message.created_at));
    time.dateTime = datetimeAttribute(message.created_at);
    meta.append(time);
    if (message.redacted && message.redacted.length) meta.append(" · " + t("redacted_note"));
    if (message.author === "operator") {
      var conversation = state.conversations.get(conversationId) || {};
      var read = message.id <= (conversation.visitor_seen_up_to || 0);
      var receipt = make("span", read ? "console-receipt is-read" : "console-receipt", read ? t("read_by_visitor") : t("delivered"));
      meta.append(" · ", receipt);
    }
  }

  function scrollToEnd() {
    el.messages.scrollTop = el.messages.scrollHeight;
  }

  function onMessageEvent(payload) {
    var message = unwrap(payload, "message");
    var conversationId = payload.conversation_id !== undefined ? payload.conversation_id : message.conversation_id;
    if (!addMessage(conversationId, message)) return;
    var conversation = state.conversations.get(conversationId);
    if (conversation) {
      conversation.last_message = message;
      conversation.last_activity_at = message.created_at || conversation.last_activity_at;
    }
    if (message.author === "visitor") {
      if (conversationId === state.currentId) showVisitorTyping(false);
      var watching = isWatching(conversationId);
      if (!watching) state.unread.set(conversationId, (state.unread.get(conversationId) || 0) + 1);
      if (conversation && isMine(conversation) && !watching) {
        notify(t("notify_new_message", { id: conversationId }), conversationId);
      }
    }
    renderQueue();
    reportSeen();
  }

  function reportSeen() {
    var id = state.currentId;
    if (id === null || document.hidden || !state.socket || !state.socket.connected) return;
    var history = state.history.get(id);
    if (!history || !history.size) return;
    var upTo = Math.max.apply(null, Array.from(history.keys()));
    var conversation = state.conversations.get(id) || {};
    if ((conversation.operator_seen_up_to || 0) >= upTo) return;
    conversation.operator_seen_up_to = upTo;
    state.unread.set(id, 0);
    renderTitle();
    state.socket.emit("seen", { conversation_id: id, up_to: upTo });
  }

  function onTypingEvent(payload) {
    if (!payload || payload.conversation_id !== state.currentId) return;
    if (payload.author && payload.author !== "visitor") return;
    showVisitorTyping(Boolean(payload.active));
  }

  function showVisitorTyping(active) {
    window.clearTimeout(state.visitorTypingTimer);
    el.typing.hidden = !active;
    if (active) state.visitorTypingTimer = window.setTimeout(function () { showVisitorTyping(false); }, VISITOR_TYPING_MAX_MS);
  }

  function onSeenEvent(payload) {
    // Read receipts normally arrive inside `conversation` events; a bare `seen` works too.
    if (!payload || payload.author === "operator") return;
    var conversation = state.conversations.get(payload.conversation_id);
    if (!conversation) return;
    conversation.visitor_seen_up_to = Math.max(conversation.visitor_seen_up_to || 0, Number(payload.up_to) || 0);
    if (payload.conversation_id === state.currentId) renderReceipts();
  }

  function renderReceipts() {
    var id = state.currentId;
    if (id === null) return;
    Array.prototype.forEach.call(el.messages.children, function (li) {
      var message = historyOf(id).get(Number(li.dataset.id));
      if (message) renderMessageMeta(li, id, message);
    });
  }

  function onPresenceEvent(payload) {
    var operators = Array.isArray(payload) ? payload : (payload && (payload.operators || payload.online));
    if (!Array.isArray(operators)) return;
    state.operators = operators.map(function (operator) {
      return typeof operator === "object" ? operator : { alias: String(operator) };
    });
    var me = state.profile || {};
    var sameAlias = state.operators.filter(function (operator) { return operator.alias === me.alias; });
    if (me.id === undefined && sameAlias.length === 1) learnMyId(sameAlias[0].id);
    var online = state.operators.filter(function (operator) { return !operator.status || operator.status === "online"; });
    el.operators.textContent = online.length ? t("operators_online", { names: online.map(function (op) { return op.alias || op.username; }).join(", ") }) : "";
    if (state.currentId !== null) renderConversationHead();
  }

  /* ---------- replying ---------- */

  function sendReply() {
    var id = state.currentId;
    var text = el.reply.value;
    if (id === null) return;
    if (!text.trim()) { showAlert(t("error_empty")); return; }
    if (Array.from(text.normalize("NFC")).length > maxLength) { showAlert(t("error_too_long", { max: formatNumber(maxLength) })); return; }
    var pending = messageElement("operator", authorLabel({ author: "operator", operator_alias: (state.profile || {}).alias }), text);
    pending.classList.add("is-pending");
    pending.querySelector(".console-message-meta").textContent = t("sending");
    el.messages.appendChild(pending);
    scrollToEnd();
    el.reply.value = "";
    saveDraft(id, "");
    onReplyInput();
    stopTyping();
    el.alerts.textContent = "";
    emit("message", { conversation_id: id, text: text, client_msg_id: newClientMessageId() }).then(function (ack) {
      pending.remove();
      if (ack.ok) {
        learnMyId(ack.message.operator_id);
        addMessage(id, ack.message);
        var conversation = state.conversations.get(id);
        if (conversation) {
          conversation.last_message = ack.message;
          conversation.last_activity_at = ack.message.created_at;
          conversation.answered = true;
          if (conversation.status === "waiting") conversation.status = "open";
        }
        renderQueue();
        return;
      }
      // Nothing typed is lost: the text goes back into the box (or into the draft).
      if (state.currentId === id && !el.reply.value) { el.reply.value = text; onReplyInput(); }
      if (!state.drafts[id]) saveDraft(id, text);
      if (!state.socket || (ack.error && ack.error.code === "unauthorized")) { saveDraft(id, text); return; }
      showAlert(errorText(ack.error));
    });
  }

  function errorText(error) {
    error = error || {};
    var key = "error_" + error.code;
    if (error.code === "rate_limited") return t(key, { time: formatSeconds(error.retry_after || 1) });
    if (strings[key]) return t(key, { max: formatNumber(maxLength) });
    return error.message || t("error_unknown");
  }

  function showAlert(text) {
    el.alerts.textContent = "";
    var alert = make("p", "notice warn console-alert", text);
    el.alerts.appendChild(alert);
  }

  function conversationAction(event, extra, then) {
    var id = state.currentId;
    if (id === null) return;
    emit(event, Object.assign({ conversation_id: id }, extra || {})).then(function (ack) {
      if (!ack.ok) { showAlert(errorText(ack.error)); return; }
      if (ack.conversation) {
        upsertConversation(ack.conversation);
        if (then) then(ack.conversation);
        renderQueue();
      }
      if (state.currentId === id) { el.alerts.textContent = ""; renderConversationHead(); }
    });
  }

  function onReplyInput() {
    var length = Array.from(el.reply.value.normalize("NFC")).length;
    var show = length >= maxLength * 0.8;
    el.counter.hidden = !show;
    el.counter.textContent = show ? t("counter", { count: formatNumber(length), max: formatNumber(maxLength) }) : "";
    el.counter.classList.toggle("is-over", length > maxLength);
    renderSuggestions();
  }

  function signalTyping() {
    var id = state.currentId;
    if (id === null || !state.socket || !state.socket.connected) return;
    var now = Date.now();
    if (now - state.typingSentAt > TYPING_REPEAT_MS) {
      state.typingSentAt = now;
      state.socket.emit("typing", { conversation_id: id, active: true });
    }
    window.clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    window.clearTimeout(state.typingIdleTimer);
    if (!state.typingSentAt) return;
    state.typingSentAt = 0;
    if (state.socket && state.socket.connected && state.currentId !== null) {
      state.socket.emit("typing", { conversation_id: state.currentId, active: false });
    }
  }

  /* ---------- canned replies ---------- */

  function loadCanned() {
    emit("canned_list", {}).then(function (ack) {
      if (!ack.ok) return;
      state.canned = ack.canned || ack.replies || ack.items || [];
      renderCanned();
    });
  }

  function renderCanned() {
    el.cannedList.textContent = "";
    state.canned.forEach(function (reply) {
      var li = make("li", "console-canned-item");
      var text = make("div", "console-canned-body");
      text.append(make("code", null, "/" + reply.shortcut), make("span", null, reply.text));
      var remove = make("button", "console-link", t("canned_delete"));
      remove.type = "button";
      remove.setAttribute("aria-label", t("canned_delete_label", { shortcut: reply.shortcut }));
      remove.addEventListener("click", function () {
        emit("canned_delete", { id: reply.id }).then(function (ack) {
          if (ack.ok) loadCanned(); else showAlert(errorText(ack.error));
        });
      });
      li.append(text, remove);
      el.cannedList.appendChild(li);
    });
    el.cannedEmpty.hidden = state.canned.length > 0;
  }

  function cannedQuery() {
    var before = el.reply.value.slice(0, el.reply.selectionEnd);
    var match = /(^|\s)\/([\w-]*)$/.exec(before);
    return match ? match[2].toLowerCase() : null;
  }

  function matchingCanned() {
    var query = cannedQuery();
    if (query === null) return [];
    var found = state.canned.filter(function (reply) { return reply.shortcut.toLowerCase().indexOf(query) === 0; });
    found.sort(function (a, b) { return (a.shortcut.toLowerCase() === query ? -1 : 0) - (b.shortcut.toLowerCase() === query ? -1 : 0); });
    return found.slice(0, 6);
  }

  function renderSuggestions() {
    var found = matchingCanned();
    el.suggestions.textContent = "";
    el.suggestions.hidden = found.length === 0;
    if (!found.length) { el.reply.removeAttribute("aria-activedescendant"); return; }
    state.suggestionIndex = Math.min(state.suggestionIndex, found.length - 1);
    found.forEach(function (reply, index) {
      var li = make("li", "console-suggestion");
      li.id = "canned-suggestion-" + index;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(index === state.suggestionIndex));
      li.append(make("code", null, "/" + reply.shortcut), make("span", null, reply.text));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); insertCanned(reply); });
      el.suggestions.appendChild(li);
    });
    el.reply.setAttribute("aria-activedescendant", "canned-suggestion-" + state.suggestionIndex);
  }

  function insertCanned(reply) {
    var end = el.reply.selectionEnd;
    var before = el.reply.value.slice(0, end).replace(/\/[\w-]*$/, "");
    var after = el.reply.value.slice(end);
    el.reply.value = before + reply.text + after;
    var caret = before.length + reply.text.length;
    el.reply.setSelectionRange(caret, caret);
    state.suggestionIndex = 0;
    saveDraft(state.currentId, el.reply.value);
    onReplyInput();
  }

  /* ---------- notifications ---------- */

  function renderNotifyButton() {
    if (!("Notification" in window)) { el.notify.hidden = true; return; }
    var permission = window.Notification.permission;
    el.notify.disabled = permission !== "default";
    el.notify.textContent = permission === "granted" ? t("notifications_on") : (permission === "denied" ? t("notifications_blocked") : t("notifications_enable"));
  }

  function unlockAudio() {
    // Browsers only let a page make sound after the person interacted with it.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!state.audio) state.audio = new Context();
    if (state.audio.state === "suspended") state.audio.resume();
  }

  function playChime() {
    var audio = state.audio;
    if (!audio || audio.state !== "running") return;
    var now = audio.currentTime;
    [[880, 0], [1320, 0.12]].forEach(function (tone) {
      var oscillator = audio.createOscillator();
      var gain = audio.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, now + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.15, now + tone[1] + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + tone[1] + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + tone[1]);
      oscillator.stop(now + tone[1] + 0.3);
    });
  }

  function notify(text, conversationId) {
    playChime();
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    if (!document.hidden && conversationId === state.currentId) return;
    try {
      var note = new window.Notification(t("page_title"), { body: text, tag: "clipai-" + conversationId, lang: locale });
      note.onclick = function () { window.focus(); openConversation(conversationId, true); note.close(); };
    } catch (e) { /* some browsers only allow notifications from a service worker */ }
  }

  function renderPresenceDot() {
    el.presence.parentNode.dataset.status = el.presence.value;
  }

  /* ---------- keyboard and wiring ---------- */

  function moveConversation(step) {
    var ids = visibleIds();
    if (!ids.length) return;
    var index = ids.indexOf(state.currentId);
    var next = index === -1 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + step));
    openConversation(ids[next], false);
    var button = el.queue.querySelector('[data-id="' + ids[next] + '"]');
    if (button) button.scrollIntoView({ block: "nearest" });
  }

  function selectTab(tab) {
    state.tab = tab;
    state.searchResults = null;
    renderQueue();
  }

  el.signinForm.addEventListener("submit", function (event) {
    event.preventDefault();
    signIn(el.username.value.trim(), el.password.value);
  });
  el.signOut.addEventListener("click", signOut);
  el.presence.addEventListener("change", function () {
    save(KEY_PRESENCE, el.presence.value);
    renderPresenceDot();
    emit("presence", { status: el.presence.value });
  });
  el.notify.addEventListener("click", function () {
    unlockAudio();
    if (!("Notification" in window)) return;
    window.Notification.requestPermission().then(renderNotifyButton, renderNotifyButton);
  });
  el.tabs.addEventListener("click", function (event) {
    var button = event.target.closest("[data-tab]");
    if (button) selectTab(button.dataset.tab);
  });
  el.tabs.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    var forward = (event.key === "ArrowRight") !== (document.documentElement.dir === "rtl");
    var next = TABS[(TABS.indexOf(state.tab) + (forward ? 1 : TABS.length - 1)) % TABS.length];
    selectTab(next);
    byId("tab-" + next).focus();
  });
  el.searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = el.searchInput.value.trim();
    if (!query) { selectTab(state.tab); return; }
    emit("search", { query: query }).then(function (ack) {
      if (!ack.ok) { state.searchResults = []; renderQueue(); el.queueEmpty.textContent = errorText(ack.error); return; }
      state.searchResults = [];
      state.searchMatches = new Map();
      (ack.results || []).forEach(function (result) {
        var conversation = upsertConversation(result.conversation);
        if (!conversation || state.searchMatches.has(conversation.id)) return;
        state.searchResults.push(conversation.id);
        state.searchMatches.set(conversation.id, result.message);  // newest matching message
      });
      renderQueue();
    });
  });
  el.searchClear.addEventListener("click", function () {
    el.searchInput.value = "";
    selectTab(state.tab);
    el.searchInput.focus();
  });
  el.back.addEventListener("click", function () {
    saveDraft(state.currentId, el.reply.value);
    var id = state.currentId;
    state.currentId = null;
    drop(KEY_CURRENT);
    showConversation(null);
    renderQueue();
    var button = el.queue.querySelector('[data-id="' + id + '"]');
    if (button) button.focus();
  });
  el.assignMe.addEventListener("click", function () {
    conversationAction("assign", {}, function (conversation) { learnMyId(assignedId(conversation)); });
  });
  el.assignSelect.addEventListener("change", function () {
    if (el.assignSelect.value) conversationAction("assign", { to: Number(el.assignSelect.value) });
  });
  el.close.addEventListener("click", function () { conversationAction("close"); });
  el.reopen.addEventListener("click", function () { conversationAction("reopen"); });
  el.replyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    sendReply();
    el.reply.focus();
  });
  el.reply.addEventListener("input", function () {
    state.suggestionIndex = 0;
    saveDraft(state.currentId, el.reply.value);
    onReplyInput();
    if (el.reply.value) signalTyping(); else stopTyping();
  });
  el.reply.addEventListener("click", renderSuggestions);
  el.reply.addEventListener("blur", function () { el.suggestions.hidden = true; });
  el.reply.addEventListener("keydown", function (event) {
    var found = el.suggestions.hidden ? [] : matchingCanned();
    if (found.length && (event.key === "Tab" || (event.key === "Enter" && !event.ctrlKey && !event.metaKey && !event.shiftKey))) {
      event.preventDefault();
      insertCanned(found[state.suggestionIndex] || found[0]);
      return;
    }
    if (found.length && (event.key === "ArrowDown" || event.key === "ArrowUp") && !event.altKey) {
      event.preventDefault();
      state.suggestionIndex = (state.suggestionIndex + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      renderSuggestions();
      return;
    }
    if (found.length && event.key === "Escape") { event.preventDefault(); el.suggestions.hidden = true; return; }
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      sendReply();
    }
  });
  el.cannedForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var shortcut = el.cannedShortcut.value.trim().replace(/^\//, "");
    var text = el.cannedText.value.trim();
    if (!shortcut || !text) return;
    emit("canned_save", { shortcut: shortcut, text: text }).then(function (ack) {
      if (!ack.ok) { showAlert(errorText(ack.error)); return; }
      el.cannedShortcut.value = "";
      el.cannedText.value = "";
      loadCanned();
    });
  });
  document.addEventListener("keydown", function (event) {
    if (el.app.hidden) return;
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      moveConversation(event.key === "ArrowDown" ? 1 : -1);
    }
  });
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) return;
    if (state.currentId !== null) state.unread.set(state.currentId, 0);
    renderQueue();
    reportSeen();
  });

  state.token = loadRaw(KEY_TOKEN);
  state.profile = load(KEY_PROFILE, null);
  state.drafts = load(KEY_DRAFTS, {}) || {};
  if (state.token) {
    showApp();
    connect();
  } else {
    showSignIn();
  }
})();
