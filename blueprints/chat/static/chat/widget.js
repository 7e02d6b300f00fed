/* ClipAI visitor support chat. Protocol: DESIGN.md §5, namespace /chat.
 *
 * Privacy rules this file keeps: nothing is written to sessionStorage/localStorage before the
 * visitor's first message is acknowledged, no cookie is ever set, the Socket.IO client is only
 * loaded when the visitor opens the chat (or already has a conversation), and every text coming
 * from the network is put into the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var KEY_TOKEN = "clipai.chat.token";
  var KEY_EXPIRES = "clipai.chat.expires";
  var KEY_RESUME = "clipai.chat.resume_code";
  var KEY_OPEN = "clipai.chat.open";
  var KEY_SEEN = "clipai.chat.seen";
  var ACK_TIMEOUT_MS = 15000;
  var TYPING_REPEAT_MS = 3000;
  var TYPING_IDLE_MS = 4000;
  var OPERATOR_TYPING_MAX_MS = 10000;
  var RETRY_UNAVAILABLE_MS = 10000;
  var COUNTER_FROM = 0.8;
  var DAY_MS = 86400000;
  var EMAIL_LIKE = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;
  var PHONE_LIKE = /(?:^|[^\w])\+?\d(?:[\s().\-\/]?\d){6,14}(?!\w)/;
  // Read like the server's guard does: full-width forms folded, invisible characters dropped,
  // Arabic-Indic digits as ASCII ones.
  var INVISIBLE = /[\u00AD\u200B-\u200F\u2060\uFEFF]/g;
  var ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

  function asTheGuardReads(text) {
    return text.normalize("NFKC").replace(INVISIBLE, "").replace(ARABIC_DIGITS, function (digit) {
      return String((digit.charCodeAt(0) & 0xF) % 10);
    });
  }

  var root = document.getElementById("chat-widget");
  if (!root) return;
  var strings = JSON.parse(document.getElementById("chat-strings").textContent);
  var locale = document.documentElement.lang || "en";
  var maxLength = parseInt(root.dataset.maxLength, 10) || 2000;
  var retentionDays = parseInt(root.dataset.retentionDays, 10) || 30;

  function byId(id) { return document.getElementById(id); }
  var el = {
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
    newConversation: byId("chat-new")
  };

  var state = {
    token: null,            // the conversation's secret, once the first message created it
    kept: false,            // token lives in localStorage (opt-in) instead of sessionStorage
    resumeCode: null,
    resumeAttempt: null,    // a code the visitor typed, sent once in the connect auth
    eraseAfter: null,       // Date
    messages: new Map(),    // id -> {message, li}
    lastSeen: 0,            // highest stored message id shown
    seenSent: 0,            // highest id reported with `seen`
    operatorReadUpTo: 0,    // highest id the operators have read
    queue: [],              // unsent {client_msg_id, text, li}
    inFlight: false,
    sendAttempt: 0,         // numbers each send, so a late answer to an abandoned one is ignored
    blockedUntil: 0,        // rate limit: no sending before this instant (ms)
    retryTimer: null,
    unread: 0,
    operatorsOnline: null,
    connected: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    operatorTypingTimer: null,
    everConnected: false,
    pinned: true            // the message list shows its newest end
  };
  var socket = null;
  var clientLoading = null;

  /* ---------- strings and formatting ---------- */

  var t = ClipAI.translator(strings);

  function formatNumber(n) { return ClipAI.formatNumber(locale, n); }

  function formatDate(date) {
    try { return new Intl.DateTimeFormat(locale, { dateStyle: "long" }).format(date); }
    catch (e) { return date.toDateString(); }
  }

  function formatTime(date) {
    try { return new Intl.DateTimeFormat(locale, { hour: "numeric", minute: "2-digit" }).format(date); }
    catch (e) { return date.toTimeString().slice(0, 5); }
  }

  function formatWait(seconds) {
    seconds = Math.max(0, Math.ceil(seconds));
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return formatNumber(minutes) + ":" + (rest < 10 ? formatNumber(0) : "") + formatNumber(rest);
  }

  var newClientMessageId = ClipAI.newClientMessageId;

  function visibleLength(text) {
    // The server counts code points after NFC normalisation; so do we.
    return Array.from(text.normalize("NFC")).length;
  }

  /* ---------- browser storage (only after the first message) ---------- */

  function storageGet(area, key) {
    try { return window[area].getItem(key); } catch (e) { return null; }
  }
  function storageSet(area, key, value) {
    try { window[area].setItem(key, value); } catch (e) { /* private mode: continue in memory */ }
  }
  function storageRemove(area, key) {
    try { window[area].removeItem(key); } catch (e) { /* nothing stored */ }
  }

  function loadSavedConversation() {
    var token = storageGet("sessionStorage", KEY_TOKEN);
    if (token) {
      state.token = token;
      state.resumeCode = storageGet("sessionStorage", KEY_RESUME);
      state.seenSent = parseInt(storageGet("sessionStorage", KEY_SEEN), 10) || 0;
      return;
    }
    token = storageGet("localStorage", KEY_TOKEN);
    if (!token) return;
    var expires = parseInt(storageGet("localStorage", KEY_EXPIRES), 10);
    if (!expires || expires < Date.now()) {
      forgetOnDevice("localStorage");
      return;
    }
    state.token = token;
    state.kept = true;
    state.resumeCode = storageGet("localStorage", KEY_RESUME);
    state.seenSent = parseInt(storageGet("localStorage", KEY_SEEN), 10) || 0;
  }

  function saveConversation() {
    if (!state.token) return;
    var area = state.kept ? "localStorage" : "sessionStorage";
    var other = state.kept ? "sessionStorage" : "localStorage";
    storageSet(area, KEY_TOKEN, state.token);
    if (state.resumeCode) storageSet(area, KEY_RESUME, state.resumeCode);
    if (state.kept) storageSet(area, KEY_EXPIRES, String(keptUntil().getTime()));
    if (state.seenSent) storageSet(area, KEY_SEEN, String(state.seenSent));
    forgetOnDevice(other);
  }

  function forgetOnDevice(area) {
    storageRemove(area, KEY_TOKEN);
    storageRemove(area, KEY_RESUME);
    storageRemove(area, KEY_EXPIRES);
    storageRemove(area, KEY_OPEN);
    storageRemove(area, KEY_SEEN);
  }

  function keptUntil() {
    // Nothing is worth keeping after the server erases the conversation.
    return state.eraseAfter || new Date(Date.now() + retentionDays * DAY_MS);
  }

  function rememberOpen(open) {
    if (!state.token) return;
    if (open) storageSet("sessionStorage", KEY_OPEN, "1");
    else storageRemove("sessionStorage", KEY_OPEN);
  }

  /* ---------- panel ---------- */

  function isOpen() { return !el.panel.hidden; }

  function openPanel(focusInput) {
    el.panel.hidden = false;
    el.launcher.setAttribute("aria-expanded", "true");
    root.classList.add("is-open");
    state.unread = 0;
    renderUnread();
    rememberOpen(true);
    ensureConnected();
    scrollToEnd();
    reportSeen();
    if (focusInput !== false) el.input.focus();
  }

  function closePanel() {
    el.panel.hidden = true;
    el.launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("is-open");
    el.confirm.hidden = true;
    rememberOpen(false);
    el.launcher.focus();
  }

  function renderUnread() {
    el.unread.hidden = state.unread === 0;
    el.unread.dataset.count = state.unread > 9 ? "9+" : String(state.unread);
  }

  function scrollToEnd() {
    el.scroll.scrollTop = el.scroll.scrollHeight;
    state.pinned = true;
  }

  function stickToEnd() {
    // Called right after every layout change we make, so a late scroll event sees the end.
    if (state.pinned) el.scroll.scrollTop = el.scroll.scrollHeight;
  }

  function keepPinnedToEnd() {
    // Notices and the on-screen keyboard resize the panel; stay at the newest message if we were there.
    el.scroll.addEventListener("scroll", function () {
      state.pinned = el.scroll.scrollTop + el.scroll.clientHeight >= el.scroll.scrollHeight - 24;
    }, { passive: true });
    if (window.ResizeObserver) new ResizeObserver(stickToEnd).observe(el.scroll);
  }

  /* ---------- connection ---------- */

  function loadClient() {
    if (window.io) return Promise.resolve(window.io);
    if (clientLoading) return clientLoading;
    clientLoading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root.dataset.clientSrc;
      script.async = true;
      script.onload = function () { resolve(window.io); };
      script.onerror = function () { clientLoading = null; reject(new Error("client")); };
      document.head.appendChild(script);
    });
    return clientLoading;
  }

  function authPayload(callback) {
    var auth = { locale: locale };
    if (state.resumeAttempt) auth.token = state.resumeAttempt;
    else if (state.token) auth.token = state.token;
    if (state.token && state.lastSeen) auth.last_seen = state.lastSeen;
    callback(auth);
  }

  function ensureConnected() {
    if (socket) {
      if (!socket.connected && !socket.active) socket.connect();
      return;
    }
    setStatus("connecting");
    loadClient().then(function (io) {
      if (socket) return;
      socket = io("/chat", { auth: authPayload, reconnectionDelayMax: 10000 });
      bindSocket(socket);
    }, function () {
      setStatus("reconnecting");
      showAlert("connect", t("connect_failed"), "warn");
    });
  }

  function bindSocket(s) {
    s.on("connect", onConnect);
    s.on("connect_error", onConnectError);
    s.on("disconnect", onDisconnect);
    s.on("message", addMessage);
    s.on("typing", onOperatorTyping);
    s.on("seen", onOperatorSeen);
    s.on("status", onStatus);
    s.on("closed", onClosed);
  }

  function onConnect() {
    state.connected = true;
    state.everConnected = true;
    clearAlert("connect");
    if (state.resumeAttempt) adoptResumedConversation();
    setStatus(statusName());
    if (!state.token) { flushQueue(); return; }
    loadHistory(function () {
      renderConversationTools();
      flushQueue();
      reportSeen();
    });
  }

  function loadHistory(done) {
    // Pages of history until the server says there is no more; ids make repeats harmless.
    socket.timeout(ACK_TIMEOUT_MS).emit("history", { after: state.lastSeen }, function (err, ack) {
      if (err || !ack || !ack.ok) { done(); return; }
      if (ack.conversation) applyConversationState(ack.conversation);
      var before = state.lastSeen;
      (ack.messages || []).forEach(addMessage);
      if (ack.more && state.lastSeen > before) loadHistory(done); else done();
    });
  }

  function applyConversationState(conversation) {
    if (conversation.erase_after) {
      var eraseAfter = new Date(conversation.erase_after);
      if (!isNaN(eraseAfter)) state.eraseAfter = eraseAfter;
    }
    if (typeof conversation.operator_seen_up_to === "number") onOperatorSeen({ up_to: conversation.operator_seen_up_to });
  }

  function onConnectError(err) {
    state.connected = false;
    var code = err && err.data && err.data.code;
    if (state.resumeAttempt) {
      // A refused code (or too many guesses): back to being a fresh visitor.
      state.resumeAttempt = null;
      showAlert("resume", code === "unauthorized" ? t("resume_failed") : ((err.data && err.data.message) || t("resume_failed")), "error");
      socket.connect();
      return;
    }
    if (code === "unauthorized") {
      if (state.token) {
        resetConversation();
        showAlert("conversation", t("conversation_gone"), "warn");
      }
      socket.connect();  // a refused handshake is not retried by the client on its own
      return;
    }
    setStatus("reconnecting");
    if (!socket.active) {
      // Refused for another reason (rate limit, server busy): try again a little later.
      var retryAfter = Math.max(RETRY_UNAVAILABLE_MS, ((err && err.data && Number(err.data.retry_after)) || 0) * 1000);
      showAlert("connect", (err && err.data && err.data.message) || t("connect_failed"), "warn");
      window.setTimeout(function () { if (socket && !socket.connected) socket.connect(); }, retryAfter);
    }
  }

  function onDisconnect(reason) {
    state.connected = false;
    state.inFlight = false;
    state.sendAttempt += 1;
    state.queue.forEach(function (item) { renderPending(item, "state_queued"); });
    showOperatorTyping(false);
    setStatus("reconnecting");
    if (reason === "io server disconnect") {
      window.setTimeout(function () { if (socket && !socket.connected) socket.connect(); }, 1000);
    }
  }

  function statusName() {
    if (!state.connected) return state.everConnected ? "reconnecting" : "connecting";
    if (state.operatorsOnline === null) return "connecting";
    return state.operatorsOnline ? "online" : "offline";
  }

  function setStatus(name) {
    el.status.dataset.state = name;
    el.statusText.textContent = t("status_" + name);
    root.dataset.connection = name;
    el.offline.hidden = name !== "offline";
    renderResumeCode();
    stickToEnd();
  }

  function onStatus(payload) {
    var online = payload && payload.operators_online;
    state.operatorsOnline = typeof online === "number" ? online > 0 : Boolean(online);
    setStatus(statusName());
  }

  /* ---------- messages ---------- */

  function authorLabel(message) {
    if (message.author === "visitor") return t("author_you");
    if (message.author === "system") return t("author_system");
    return message.operator_alias || message.alias || t("author_support");
  }

  function messageElement(author, text) {
    var li = document.createElement("li");
    li.className = "chat-message from-" + author;
    var who = document.createElement("p");
    who.className = "chat-message-author";
    var body = document.createElement("p");
    body.className = "chat-message-text";
    body.textContent = text;
    body.dir = "auto";  // a Russian page may quote Arabic, and the other way round
    var meta = document.createElement("p");
    meta.className = "chat-message-meta";
    li.append(who, body, meta);
    return li;
  }

  function setMeta(li, parts) {
    var meta = li.querySelector(".chat-message-meta");
    meta.textContent = "";
    parts.forEach(function (part, index) {
      if (index) meta.append(" · ");
      meta.append(part);
    });
  }

  function timeElement(iso) {
    var date = new Date(iso);
    var time = document.createElement("time");
    if (!isNaN(date)) {
      time.dateTime = date.toISOString();
      time.textContent = formatTime(date);
      time.title = date.toLocaleString(locale);
    }
    return time;
  }

  function renderMessageMeta(entry) {
    var message = entry.message;
    var parts = [timeElement(message.created_at)];
    if (message.author === "visitor") {
      var read = message.id <= state.operatorReadUpTo;
      var receipt = document.createElement("span");
      receipt.className = read ? "chat-receipt is-read" : "chat-receipt";
      receipt.textContent = read ? t("state_read") : t("state_sent");
      parts.push(receipt);
    }
    setMeta(entry.li, parts);
  }

  function addMessage(message) {
    if (!message || typeof message.id !== "number" || state.messages.has(message.id)) return;
    var li = messageElement(message.author, String(message.text));
    li.querySelector(".chat-message-author").textContent = authorLabel(message);
    li.dataset.id = String(message.id);
    var entry = { message: message, li: li };
    state.messages.set(message.id, entry);
    settleQueued(message.client_msg_id);
    renderMessageMeta(entry);
    insertInOrder(li, message.id);
    state.lastSeen = Math.max(state.lastSeen, message.id);
    noteActivity(message.created_at);
    if (message.author === "operator") {
      showOperatorTyping(false);
      // Unread: replies that arrived since the visitor last had the panel open.
      if (!isOpen() && message.id > state.seenSent) { state.unread += 1; renderUnread(); }
    }
    scrollToEnd();
    reportSeen();
  }

  function settleQueued(clientMsgId) {
    // Stored already (its ack was lost, the reconnect delivered it): never show it twice.
    if (!clientMsgId) return;
    state.queue.forEach(function (item, index) {
      if (item.client_msg_id !== clientMsgId) return;
      if (index === 0 && state.inFlight) item.li.remove(); else removeQueued(item);
    });
  }

  function insertInOrder(li, id) {
    var items = el.messages.children;
    for (var i = 0; i < items.length; i += 1) {
      var other = items[i];
      if (other.classList.contains("is-pending") || Number(other.dataset.id) > id) {
        el.messages.insertBefore(li, other);
        return;
      }
    }
    el.messages.appendChild(li);
  }

  function noteActivity(iso) {
    var at = new Date(iso);
    if (isNaN(at)) return;
    var eraseAfter = new Date(at.getTime() + retentionDays * DAY_MS);
    if (!state.eraseAfter || eraseAfter > state.eraseAfter) state.eraseAfter = eraseAfter;
    renderConversationTools();
  }

  function reportSeen() {
    if (!socket || !state.connected || !state.token || !isOpen() || document.hidden) return;
    if (state.lastSeen <= state.seenSent) return;
    state.seenSent = state.lastSeen;
    storageSet(state.kept ? "localStorage" : "sessionStorage", KEY_SEEN, String(state.seenSent));
    socket.emit("seen", { up_to: state.lastSeen });
  }

  function onOperatorSeen(payload) {
    var upTo = payload && Number(payload.up_to);
    if (!upTo || upTo <= state.operatorReadUpTo) return;
    state.operatorReadUpTo = upTo;
    state.messages.forEach(function (entry) {
      if (entry.message.author === "visitor") renderMessageMeta(entry);
    });
  }

  function onOperatorTyping(payload) {
    showOperatorTyping(Boolean(payload && payload.active), payload && (payload.operator_alias || payload.alias));
  }

  function showOperatorTyping(active, alias) {
    window.clearTimeout(state.operatorTypingTimer);
    el.typing.hidden = !active;
    el.typing.textContent = active ? t("operator_typing", { name: alias || t("author_support") }) : "";
    stickToEnd();
    // A lost "stopped typing" signal must not leave the indicator on forever.
    if (active) state.operatorTypingTimer = window.setTimeout(function () { showOperatorTyping(false); }, OPERATOR_TYPING_MAX_MS);
  }

  function onClosed(payload) {
    if (payload && payload.reason === "erased") {
      // Erased from another tab or by retention: nothing of it may stay on screen.
      resetConversation();
      showAlert("conversation", t("erased"), "info");
      return;
    }
    showAlert("closed", t("closed_by_support"), "info");
  }

  /* ---------- sending ---------- */

  function submitMessage() {
    var text = el.input.value;
    if (!text.trim()) { showAlert("send", t("error_empty"), "error"); return; }
    if (visibleLength(text) > maxLength) {
      showAlert("send", t("error_too_long", { max: formatNumber(maxLength) }), "error");
      return;
    }
    clearAlert("send");
    clearAlert("redacted");
    var item = { client_msg_id: newClientMessageId(), text: text, li: messageElement("visitor", text) };
    item.li.classList.add("is-pending");
    item.li.querySelector(".chat-message-author").textContent = t("author_you");
    el.messages.appendChild(item.li);
    state.queue.push(item);
    renderPending(item, state.connected ? "state_sending" : "state_queued");
    el.input.value = "";
    onInputChanged();
    stopTyping();
    scrollToEnd();
    ensureConnected();
    flushQueue();
  }

  function renderPending(item, key) {
    var span = document.createElement("span");
    span.className = "chat-receipt";
    span.textContent = t(key);
    setMeta(item.li, [span]);
  }

  function flushQueue() {
    window.clearTimeout(state.retryTimer);
    if (state.inFlight || !state.connected || !state.queue.length) return;
    var wait = state.blockedUntil - Date.now();
    if (wait > 0) { state.retryTimer = window.setTimeout(flushQueue, wait); return; }
    var item = state.queue[0];
    var attempt = ++state.sendAttempt;
    state.inFlight = true;
    renderPending(item, "state_sending");
    socket.timeout(ACK_TIMEOUT_MS).emit("message", { text: item.text, client_msg_id: item.client_msg_id }, function (err, ack) {
      if (attempt !== state.sendAttempt) return;  // a disconnect already gave up on this one
      state.inFlight = false;
      if (err || !ack) {
        // No answer: keep it queued; the same client_msg_id makes a resend harmless.
        renderPending(item, "state_queued");
        state.retryTimer = window.setTimeout(flushQueue, 2000);
        return;
      }
      if (ack.ok) onMessageStored(item, ack);
      else onMessageRefused(item, ack.error || {});
      flushQueue();
    });
  }

  function onMessageStored(item, ack) {
    removeQueued(item);
    if (ack.conversation) startConversation(ack.conversation);
    addMessage(ack.message);
    showRedactions(ack.message && ack.message.redacted);
    if (state.kept) saveConversation();  // pushes the local expiry forward
  }

  function onMessageRefused(item, error) {
    var code = error.code;
    if (code === "rate_limited") {
      state.blockedUntil = Date.now() + Math.max(1, Number(error.retry_after) || 5) * 1000;
      renderPending(item, "state_queued");
      showRateLimit();
      return;
    }
    if (code === "unavailable") {
      state.blockedUntil = Date.now() + RETRY_UNAVAILABLE_MS;
      renderPending(item, "state_queued");
      showAlert("send", t("error_unavailable"), "warn");
      return;
    }
    dropQueued(item);
    if (code === "unauthorized") {
      resetConversation();
      showAlert("conversation", t("error_unauthorized"), "warn");
      return;
    }
    if (code === "closed") {
      el.newConversation.hidden = false;
      showAlert("send", t("error_closed"), "error");
      return;
    }
    var key = "error_" + code;
    var text = strings[key] ? t(key, { max: formatNumber(maxLength) }) : (error.message || t("error_unknown"));
    showAlert("send", text, "error");
  }

  function removeQueued(item) {
    state.queue = state.queue.filter(function (other) { return other !== item; });
    item.li.remove();
  }

  function dropQueued(item) {
    // Give the text back so nothing the visitor typed is lost.
    removeQueued(item);
    if (!el.input.value) { el.input.value = item.text; onInputChanged(); }
  }

  function showRateLimit() {
    var remaining = (state.blockedUntil - Date.now()) / 1000;
    if (remaining <= 0) { clearAlert("send"); return; }
    showAlert("send", t("error_rate_limited", { time: formatWait(remaining) }), "warn");
    window.setTimeout(showRateLimit, 1000);
  }

  function showRedactions(kinds) {
    if (!Array.isArray(kinds) || !kinds.length) return;
    var lines = kinds.map(function (kind) {
      return strings["redacted_" + kind] ? t("redacted_" + kind) : t("redacted_other");
    });
    showAlert("redacted", lines.filter(function (line, i) { return lines.indexOf(line) === i; }).join(" "), "info");
  }

  /* ---------- the conversation ---------- */

  function startConversation(conversation) {
    state.token = conversation.token || state.token;
    state.resumeCode = conversation.resume_code || state.resumeCode;
    applyConversationState(conversation);
    saveConversation();
    rememberOpen(isOpen());
    renderConversationTools();
    renderResumeCode();
  }

  function adoptResumedConversation() {
    // The server accepted the code, so it now stands for this conversation in this tab.
    state.token = state.resumeAttempt;
    state.resumeAttempt = null;
    state.resumeCode = null;
    el.resumeForm.hidden = true;
    el.resumeOpen.setAttribute("aria-expanded", "false");
    clearAlert("resume");
    saveConversation();
    rememberOpen(isOpen());
  }

  function resetConversation() {
    forgetOnDevice("sessionStorage");
    forgetOnDevice("localStorage");
    state.token = null;
    state.kept = false;
    state.resumeCode = null;
    state.eraseAfter = null;
    state.messages.clear();
    state.lastSeen = 0;
    state.seenSent = 0;
    state.operatorReadUpTo = 0;
    Array.prototype.slice.call(el.messages.children).forEach(function (li) {
      if (!li.classList.contains("is-pending")) li.remove();
    });
    el.newConversation.hidden = true;
    renderConversationTools();
    renderResumeCode();
  }

  function renderConversationTools() {
    var active = Boolean(state.token);
    el.tools.hidden = !active;
    el.resume.hidden = active;
    if (!active) return;
    el.eraseDate.textContent = state.eraseAfter ? t("erase_date", { date: formatDate(state.eraseAfter) }) : "";
    el.keep.checked = state.kept;
    el.kept.hidden = !state.kept;
    el.keptText.textContent = state.kept ? t("kept_until", { date: formatDate(keptUntil()) }) : "";
    stickToEnd();
  }

  function renderResumeCode() {
    var show = Boolean(state.resumeCode) && state.operatorsOnline === false;
    el.resumeCode.hidden = !show;
    el.resumeCodeText.textContent = show ? t("resume_code", { code: state.resumeCode }) : "";
  }

  function eraseConversation() {
    if (!socket || !state.connected) { showAlert("send", t("error_unavailable"), "warn"); return; }
    socket.timeout(ACK_TIMEOUT_MS).emit("erase", {}, function (err, ack) {
      if (err || !ack || !ack.ok) {
        showAlert("send", (ack && ack.error && ack.error.message) || t("error_unknown"), "error");
        return;
      }
      el.confirm.hidden = true;
      // The server already treats this socket as a fresh visitor.
      resetConversation();
      showAlert("conversation", t("erased"), "info");
      el.input.focus();
    });
  }

  function setKept(kept) {
    state.kept = kept;
    saveConversation();
    if (!kept) showAlert("device", t("forgotten"), "info");
    else clearAlert("device");
    renderConversationTools();
  }

  function startNewConversation() {
    resetConversation();
    clearAlert("send");
    clearAlert("closed");
    if (socket) { socket.disconnect(); socket.connect(); }
    el.input.focus();
  }

  function resumeWithCode(code) {
    code = code.trim();
    if (!code) return;
    resetConversation();
    state.resumeAttempt = code;
    if (!socket) { ensureConnected(); return; }
    socket.disconnect();
    socket.connect();
  }

  /* ---------- alerts ---------- */

  function showAlert(key, text, kind) {
    var alert = el.alerts.querySelector('[data-key="' + key + '"]');
    if (!alert) {
      alert = document.createElement("div");
      alert.dataset.key = key;
      var p = document.createElement("p");
      var dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "chat-alert-dismiss";
      dismiss.setAttribute("aria-label", t("dismiss"));
      dismiss.title = t("dismiss");
      dismiss.textContent = "×";
      dismiss.addEventListener("click", function () { alert.remove(); stickToEnd(); el.input.focus(); });
      alert.append(p, dismiss);
      el.alerts.appendChild(alert);
    }
    alert.className = "chat-alert is-" + (kind || "info");
    alert.querySelector("p").textContent = text;
    stickToEnd();
  }

  function clearAlert(key) {
    var alert = el.alerts.querySelector('[data-key="' + key + '"]');
    if (alert) alert.remove();
    stickToEnd();
  }

  /* ---------- typing, hints and the counter ---------- */

  function onInputChanged() {
    var text = el.input.value;
    var length = visibleLength(text);
    var showCounter = length >= Math.floor(maxLength * COUNTER_FROM);
    el.counter.hidden = !showCounter;
    el.counter.textContent = showCounter ? t("counter", { count: formatNumber(length), max: formatNumber(maxLength) }) : "";
    el.counter.classList.toggle("is-over", length > maxLength);
    el.input.setAttribute("aria-invalid", length > maxLength ? "true" : "false");
    var read = asTheGuardReads(text);
    var hint = EMAIL_LIKE.test(read) ? "hint_email" : (PHONE_LIKE.test(read) ? "hint_phone" : null);
    el.hint.hidden = !hint;
    el.hint.textContent = hint ? t(hint) : "";
    el.composer.classList.toggle("has-text", Boolean(text.trim()));
    stickToEnd();
  }

  function signalTyping() {
    if (!socket || !state.connected || !state.token) return;
    var now = Date.now();
    if (now - state.typingSentAt > TYPING_REPEAT_MS) {
      state.typingSentAt = now;
      socket.emit("typing", { active: true });
    }
    window.clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = window.setTimeout(stopTyping, TYPING_IDLE_MS);
  }

  function stopTyping() {
    window.clearTimeout(state.typingIdleTimer);
    if (!state.typingSentAt) return;
    state.typingSentAt = 0;
    if (socket && state.connected && state.token) socket.emit("typing", { active: false });
  }

  /* ---------- wiring ---------- */

  el.launcher.addEventListener("click", function () {
    if (isOpen()) closePanel(); else openPanel();
  });
  el.close.addEventListener("click", closePanel);
  el.panel.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    event.preventDefault();
    if (!el.confirm.hidden) { el.confirm.hidden = true; el.erase.focus(); return; }
    closePanel();
  });
  el.composer.addEventListener("submit", function (event) {
    event.preventDefault();
    submitMessage();
    el.input.focus();
  });
  el.input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitMessage();
    }
  });
  el.input.addEventListener("input", function () {
    onInputChanged();
    if (el.input.value) signalTyping(); else stopTyping();
  });
  el.erase.addEventListener("click", function () {
    el.confirm.hidden = false;
    stickToEnd();
    el.eraseNo.focus();
  });
  el.eraseNo.addEventListener("click", function () {
    el.confirm.hidden = true;
    el.erase.focus();
  });
  el.eraseYes.addEventListener("click", eraseConversation);
  el.keep.addEventListener("change", function () { setKept(el.keep.checked); });
  el.forget.addEventListener("click", function () { setKept(false); el.keep.focus(); });
  el.newConversation.addEventListener("click", startNewConversation);
  el.resumeOpen.addEventListener("click", function () {
    var show = el.resumeForm.hidden;
    el.resumeForm.hidden = !show;
    el.resumeOpen.setAttribute("aria-expanded", String(show));
    if (show) el.resumeInput.focus();
  });
  el.resumeForm.addEventListener("submit", function (event) {
    event.preventDefault();
    resumeWithCode(el.resumeInput.value);
  });
  document.addEventListener("visibilitychange", reportSeen);

  keepPinnedToEnd();
  loadSavedConversation();
  renderConversationTools();
  root.hidden = false;
  if (state.token) {
    // A returning visitor: reconnect at once so replies show up, even with the panel closed.
    if (storageGet("sessionStorage", KEY_OPEN)) openPanel(false);
    else ensureConnected();
  }
})();
