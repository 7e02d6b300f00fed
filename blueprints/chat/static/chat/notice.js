/* Replies that arrive while the visitor looks elsewhere: a preview bubble on the launcher while
   the panel is closed, the count in the tab title while the tab is hidden (restored when it is
   shown), and a soft chime made by WebAudio (no sound file) unless the visitor muted it. */
import { formatNumber } from "../../../static/js/format.js";
import { el, locale, root, state, t } from "./state.js";
import { authorLabel } from "./thread.js";

const PREVIEW_CHARS = 120;
const pageTitle = document.title;
let audio = null;

/** A reply the visitor has not seen: say so in every way that fits where they are. */
export function noticeReply(message, panelOpen) {
  if (!panelOpen) showPreview(message);
  if (document.hidden) { state.hiddenUnread += 1; renderTitle(); }
  if (!panelOpen || document.hidden) chime();
}

function showPreview(message) {
  const name = authorLabel(message);
  const text = Array.from(String(message.text).replace(/\s+/g, " ").trim());
  el.previewWho.textContent = t("preview_from", { name });
  el.previewText.textContent = text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS).join("") + "…" : text.join("");
  el.preview.hidden = false;
}

export function hidePreview() {
  el.preview.hidden = true;
}

function renderTitle() {
  document.title = state.hiddenUnread ? `(${formatNumber(locale, state.hiddenUnread)}) ${pageTitle}` : pageTitle;
}

function onVisibilityChange() {
  if (document.hidden) return;
  state.hiddenUnread = 0;
  renderTitle();
}

function unlockAudio() {
  // Browsers let a page make sound only after the visitor interacted with it.
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  else if (audio && audio.state === "suspended") audio.resume().catch(() => {});
}

/** A short, quiet two-note chime. */
function chime() {
  if (state.muted || !audio) return;
  if (audio.state === "suspended") audio.resume().catch(() => {});
  const start = audio.currentTime;
  const tone = audio.createOscillator();
  const gain = audio.createGain();
  tone.type = "sine";
  tone.frequency.setValueAtTime(880, start);
  tone.frequency.setValueAtTime(660, start + 0.12);
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.05, start + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
  tone.connect(gain).connect(audio.destination);
  tone.start(start);
  tone.stop(start + 0.4);
}

export function wireNotice(openPanel) {
  document.addEventListener("visibilitychange", onVisibilityChange);
  root.addEventListener("pointerdown", unlockAudio);
  root.addEventListener("keydown", unlockAudio);
  el.previewOpen.addEventListener("click", () => openPanel());
  el.previewDismiss.addEventListener("click", () => { hidePreview(); el.launcher.focus(); });
}
