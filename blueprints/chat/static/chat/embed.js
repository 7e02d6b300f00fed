/* One tag puts the ClipAI support chat on another site of the owner (listed in EMBED_ORIGINS):
     <script src="https://clipai.example/chat/embed.js" async></script>
   The widget lives in a shadow root, so the host page's CSS cannot reach it, and everything it
   loads comes from the chat's own server (CORS and CORP admit the listed sites). Like on the
   chat's own pages, nothing is written to the browser before the visitor's first message and no
   cookie is ever set; the conversation is kept in that site's sessionStorage. A classic script,
   so that document.currentScript names the server. docs/chat.md "Embedding". */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src || window.clipaiChatShadowRoot) return;  // once per page
  var server = new URL(script.src).origin;
  var lang = document.documentElement.lang || navigator.language || "en";

  function adopt(shadow, nodes) {
    Array.prototype.forEach.call(nodes, function (node) { shadow.appendChild(document.adoptNode(node)); });
  }

  function mount(html) {
    // A tag of its own: the host's rules for div, section… (floats, borders) do not match it.
    var host = document.createElement("clipai-chat");
    host.id = "clipai-chat";
    var shadow = host.attachShadow({ mode: "open" });
    var base = document.createElement("link");
    base.rel = "stylesheet";
    base.href = server + "/chat/static/chat/embed.css";
    shadow.appendChild(base);
    // The server's own template, parsed inertly (DOMParser runs no script) and moved in as nodes.
    var parsed = new DOMParser().parseFromString(html, "text/html");
    adopt(shadow, Array.prototype.slice.call(parsed.head.childNodes));
    adopt(shadow, Array.prototype.slice.call(parsed.body.childNodes));
    document.body.appendChild(host);
    window.clipaiChatShadowRoot = shadow;  // chat/state.js looks for the widget here
    return import(server + "/chat/static/chat/main.js");
  }

  fetch(server + "/chat/embed/widget?lang=" + encodeURIComponent(lang), { credentials: "omit" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    })
    .then(mount)
    .catch(function (error) { console.warn("ClipAI chat could not load:", error); });
})();
