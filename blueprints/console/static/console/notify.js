/* Telling the operator: a chime, a desktop notification, the notification button and the
   presence dot. */
import { openConversation } from "./conversation.js";
import { el, locale, state, t } from "./state.js";

export function renderNotifyButton() {
  if (!("Notification" in window)) { el.notify.hidden = true; return; }
  const permission = window.Notification.permission;
  el.notify.disabled = permission !== "default";
  el.notify.textContent = permission === "granted" ? t("notifications_on") : (permission === "denied" ? t("notifications_blocked") : t("notifications_enable"));
}

export function unlockAudio() {
  // Browsers only let a page make sound after the person interacted with it.
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (!state.audio) state.audio = new Context();
  if (state.audio.state === "suspended") state.audio.resume();
}

function playChime() {
  const audio = state.audio;
  if (!audio || audio.state !== "running") return;
  const now = audio.currentTime;
  [[880, 0], [1320, 0.12]].forEach(([frequency, delay]) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + delay);
    gain.gain.exponentialRampToValueAtTime(0.15, now + delay + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + delay + 0.25);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(now + delay);
    oscillator.stop(now + delay + 0.3);
  });
}

export function notify(text, conversationId) {
  playChime();
  if (!("Notification" in window) || window.Notification.permission !== "granted") return;
  if (!document.hidden && conversationId === state.currentId) return;
  try {
    const note = new window.Notification(t("page_title"), { body: text, tag: "clipai-" + conversationId, lang: locale });
    note.onclick = () => { window.focus(); openConversation(conversationId, true); note.close(); };
  } catch (e) { /* some browsers only allow notifications from a service worker */ }
}

export function renderPresenceDot() {
  el.presence.parentNode.dataset.status = el.presence.value;
}
