/* Maintainer publishing page: sign in, write per-language Markdown with a sanitized preview,
   review the differences with the version in force, then publish after confirmation.
   Every visible string comes from the server's catalogs through #policy-publish-data. */
(function () {
  "use strict";

  var dataElement = document.getElementById("policy-publish-data");
  if (!dataElement) {
    return;
  }
  var data = JSON.parse(dataElement.textContent);
  var strings = data.strings;
  var views = ["signin-form", "publish-forbidden", "editor-form", "review", "published"];
  var previewTimers = {};
  var previewSequence = {};
  var textsLoaded = false;
  var pendingDraft = null;

  function byId(id) {
    return document.getElementById(id);
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  // --- token kept by the console in sessionStorage ------------------------------------------

  function readToken() {
    try {
      return window.sessionStorage.getItem(data.tokenKey);
    } catch (error) {
      return null;
    }
  }

  function storeToken(token) {
    try {
      window.sessionStorage.setItem(data.tokenKey, token);
    } catch (error) {
      /* storage disabled: the token lives only as long as this page */
    }
  }

  function clearToken() {
    try {
      window.sessionStorage.removeItem(data.tokenKey);
    } catch (error) {
      /* nothing stored */
    }
  }

  // --- HTTP -----------------------------------------------------------------------------------

  function api(url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    var token = readToken();
    if (options.auth !== false && token) {
      headers.Authorization = "Bearer " + token;
    }
    var init = { method: options.method || "GET", headers: headers, credentials: "omit", cache: "no-store" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    return window.fetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try {
          body = text ? JSON.parse(text) : null;
        } catch (error) {
          body = null;
        }
        return { status: response.status, body: body };
      });
    }, function () {
      return { status: 0, body: null };
    });
  }

  function errorMessage(result, fallback) {
    if (result.status === 0) {
      return strings.networkError;
    }
    return (result.body && result.body.error && result.body.error.message) || fallback;
  }

  /* Return true when the answer means "sign in again" or "not a maintainer" (and show it). */
  function handledAuthFailure(result) {
    if (result.status === 401) {
      clearToken();
      showSignIn(strings.sessionEnded);
      return true;
    }
    if (result.status === 403) {
      setView("publish-forbidden");
      return true;
    }
    return false;
  }

  // --- views ----------------------------------------------------------------------------------

  function setView(name) {
    views.forEach(function (id) {
      byId(id).hidden = id !== name;
    });
  }

  function setStatus(message, warn) {
    var element = byId("publish-status");
    element.textContent = message || "";
    element.hidden = !message;
    element.classList.toggle("warn", Boolean(warn));
  }

  function showSignIn(message) {
    setView("signin-form");
    setStatus(message || "", Boolean(message));
    byId("signin-username").focus();
  }

  function startEditor() {
    setView("editor-form");
    if (!textsLoaded) {
      textsLoaded = true;
      loadCurrentTexts();
    }
  }

  // --- sign in and out ------------------------------------------------------------------------

  function signIn(event) {
    event.preventDefault();
    var errorElement = byId("signin-error");
    errorElement.hidden = true;
    setStatus(strings.signingIn);
    api(data.urls.token, {
      method: "POST",
      auth: false,
      body: { username: byId("signin-username").value.trim(), password: byId("signin-password").value }
    }).then(function (result) {
      setStatus("");
      if (result.status !== 200 || !result.body || !result.body.token) {
        errorElement.textContent = errorMessage(result, strings.signInFailed);
        errorElement.hidden = false;
        return;
      }
      byId("signin-password").value = "";
      storeToken(result.body.token);
      if ((result.body.roles || []).indexOf("maintainer") === -1) {
        setView("publish-forbidden");
        return;
      }
      startEditor();
    });
  }

  function signOut() {
    if (readToken()) {
      api(data.urls.token, { method: "DELETE" });
    }
    clearToken();
    showSignIn("");
  }

  // --- editor ---------------------------------------------------------------------------------

  function textareas() {
    return Array.prototype.slice.call(document.querySelectorAll("#editor-form textarea[data-locale]"));
  }

  function loadCurrentTexts() {
    var origin = byId("editor-origin");
    origin.textContent = strings.loadingCurrent;
    api(data.urls.current, { auth: false }).then(function (result) {
      if (result.status !== 200 || !result.body) {
        origin.textContent = strings.noCurrent;
        refreshAllPreviews();
        return null;
      }
      var number = result.body.number;
      return api(data.urls.versions + "/" + number, { auth: false }).then(function (detail) {
        var texts = (detail.body && detail.body.texts) || {};
        textareas().forEach(function (area) {
          if (!area.value && texts[area.dataset.locale]) {
            area.value = texts[area.dataset.locale];
          }
        });
        origin.textContent = format(strings.startedFrom, { number: number });
        refreshAllPreviews();
      });
    });
  }

  function schedulePreview(area) {
    var locale = area.dataset.locale;
    window.clearTimeout(previewTimers[locale]);
    previewTimers[locale] = window.setTimeout(function () {
      refreshPreview(area);
    }, 250);
  }

  function refreshAllPreviews() {
    textareas().forEach(refreshPreview);
  }

  function refreshPreview(area) {
    var locale = area.dataset.locale;
    var target = byId("preview-" + locale);
    var sequence = (previewSequence[locale] || 0) + 1;
    previewSequence[locale] = sequence;
    if (!area.value.trim()) {
      target.textContent = strings.previewEmpty;
      return;
    }
    api(data.urls.preview, { method: "POST", body: { markdown: area.value } }).then(function (result) {
      if (sequence !== previewSequence[locale] || handledAuthFailure(result)) {
        return;
      }
      if (result.status === 200 && result.body && typeof result.body.html === "string") {
        // The server sanitized this HTML (no raw HTML, no javascript: links): never render anything else.
        target.innerHTML = result.body.html;
      } else {
        target.textContent = errorMessage(result, strings.previewFailed);
      }
    });
  }

  function selectTab(tab, focus) {
    document.querySelectorAll(".policy-tabs [role='tab']").forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", selected ? "true" : "false");
      other.tabIndex = selected ? 0 : -1;
      byId(other.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) {
      tab.focus();
    }
  }

  function onTabKey(event) {
    var tabs = Array.prototype.slice.call(document.querySelectorAll(".policy-tabs [role='tab']"));
    var index = tabs.indexOf(event.currentTarget);
    var step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (document.documentElement.dir === "rtl" && step) {
      step = -step;
    }
    var next = null;
    if (step) {
      next = tabs[(index + step + tabs.length) % tabs.length];
    } else if (event.key === "Home") {
      next = tabs[0];
    } else if (event.key === "End") {
      next = tabs[tabs.length - 1];
    }
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  }

  // --- field errors ---------------------------------------------------------------------------

  function clearFieldErrors() {
    document.querySelectorAll("[data-error-for]").forEach(function (element) {
      element.textContent = "";
      element.hidden = true;
    });
    document.querySelectorAll(".policy-tabs [role='tab']").forEach(function (tab) {
      tab.classList.remove("has-error");
    });
  }

  function showFieldErrors(fields) {
    var firstTab = null;
    Object.keys(fields || {}).forEach(function (field) {
      var element = document.querySelector("[data-error-for='" + field.replace(/'/g, "") + "']");
      if (element) {
        element.textContent = fields[field].message;
        element.hidden = false;
      }
      if (field.indexOf("texts.") === 0) {
        var tab = byId("tab-" + field.slice(6));
        if (tab) {
          tab.classList.add("has-error");
          firstTab = firstTab || tab;
        }
      }
    });
    if (firstTab) {
      selectTab(firstTab, false);
    }
  }

  // --- review and publish ---------------------------------------------------------------------

  function collectDraft() {
    var texts = {};
    textareas().forEach(function (area) {
      if (area.value.trim()) {
        texts[area.dataset.locale] = area.value;
      }
    });
    var local = byId("policy-effective-from").value;
    var effective = null;
    if (local) {
      var instant = new Date(local);
      if (isNaN(instant.getTime())) {
        showFieldErrors({ effective_from: { message: strings.invalidDate } });
        return null;
      }
      effective = instant;
    }
    return {
      texts: texts,
      summary: byId("policy-summary").value,
      effective: effective,
      body: {
        texts: texts,
        summary: byId("policy-summary").value,
        effective_from: effective ? effective.toISOString() : null
      }
    };
  }

  function describeInstant(instant) {
    if (!instant) {
      return strings.effectiveNow;
    }
    var options = { dateStyle: "long", timeStyle: "long" };
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || undefined, options).format(instant);
    } catch (error) {
      return instant.toISOString();
    }
  }

  function languageName(locale) {
    var tab = byId("tab-" + locale);
    return tab ? tab.dataset.name : locale;
  }

  function renderReview(draft, diff) {
    byId("review-summary").textContent = draft.summary;
    byId("review-effective").textContent = describeInstant(draft.effective);
    byId("review-base").textContent = diff.base
      ? format(strings.comparedWith, { number: diff.base.number })
      : strings.comparedWithNothing;
    var container = byId("review-diff");
    container.textContent = "";
    diff.locales.forEach(function (entry) {
      var section = document.createElement("section");
      section.className = "policy-review-locale";
      var heading = document.createElement("h3");
      heading.textContent = languageName(entry.locale) + " · " + entry.label;
      var body = document.createElement("div");
      body.className = "policy-diff";
      body.lang = entry.locale;
      body.dir = byId("text-" + entry.locale) ? byId("text-" + entry.locale).dir : "auto";
      // Built by the server from escaped text plus <ins>/<del> only.
      body.innerHTML = entry.html;
      section.appendChild(heading);
      if (entry.status !== "unchanged") {
        section.appendChild(body);
      }
      container.appendChild(section);
    });
  }

  function review(event) {
    event.preventDefault();
    clearFieldErrors();
    setStatus("");
    var draft = collectDraft();
    if (!draft) {
      return;
    }
    setStatus(strings.reviewing);
    api(data.urls.diff, { method: "POST", body: { texts: draft.texts } }).then(function (result) {
      if (handledAuthFailure(result)) {
        return;
      }
      if (result.status !== 200 || !result.body) {
        setStatus(errorMessage(result, strings.networkError), true);
        return;
      }
      setStatus("");
      pendingDraft = draft;
      renderReview(draft, result.body);
      setView("review");
      byId("review-heading").focus();
    });
  }

  function publish() {
    if (!pendingDraft) {
      return;
    }
    var button = byId("confirm-publish");
    button.disabled = true;
    setStatus(strings.publishing);
    api(data.urls.versions, { method: "POST", body: pendingDraft.body }).then(function (result) {
      button.disabled = false;
      if (handledAuthFailure(result)) {
        return;
      }
      if (result.status === 201 && result.body) {
        setStatus("");
        pendingDraft = null;
        byId("published-message").textContent = format(strings.published, { number: result.body.number });
        byId("published-link").href = data.urls.versionPage + "/" + result.body.number;
        setView("published");
        return;
      }
      setView("editor-form");
      var fields = result.body && result.body.error && result.body.error.fields;
      showFieldErrors(fields);
      setStatus(errorMessage(result, strings.fixFields), true);
    });
  }

  // --- wiring ---------------------------------------------------------------------------------

  byId("signin-form").addEventListener("submit", signIn);
  byId("editor-form").addEventListener("submit", review);
  byId("confirm-publish").addEventListener("click", publish);
  byId("back-to-editor").addEventListener("click", function () {
    setView("editor-form");
    setStatus("");
  });
  document.querySelectorAll("[data-action='sign-out']").forEach(function (button) {
    button.addEventListener("click", signOut);
  });
  document.querySelectorAll(".policy-tabs [role='tab']").forEach(function (tab) {
    tab.addEventListener("click", function () {
      selectTab(tab, false);
    });
    tab.addEventListener("keydown", onTabKey);
  });
  textareas().forEach(function (area) {
    area.addEventListener("input", function () {
      schedulePreview(area);
    });
  });

  if (readToken()) {
    startEditor();
  } else {
    showSignIn("");
  }
})();
