/* Helpers every ClipAI page script shares. Loaded before the feature scripts (base.html). */
(function () {
  "use strict";

  /* Return t(key, values): the catalog string for key with %(name)s placeholders filled. */
  function translator(strings) {
    return function t(key, values) {
      var text = strings[key] || key;
      if (!values) return text;
      return text.replace(/%\((\w+)\)s/g, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
      });
    };
  }

  function formatNumber(locale, n) {
    try { return new Intl.NumberFormat(locale).format(n); } catch (e) { return String(n); }
  }

  /* A random UUID for client_msg_id, also where crypto.randomUUID is missing (plain HTTP). */
  function newClientMessageId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  window.ClipAI = Object.freeze({
    translator: translator,
    formatNumber: formatNumber,
    newClientMessageId: newClientMessageId
  });
})();
