/* The panel: opening and closing, the unread badge, the connection status, alerts, and keeping
   the message list at its newest end. */
import { badgeText } from "../../../static/js/unread.js";
import { ensureConnected } from "./connection.js";
import { renderResumeCode } from "./conversation.js";
import { closeMenu } from "./menu.js";
import { hidePreview } from "./notice.js";
import { rememberOpen } from "./saved.js";
import { el, root, state, t } from "./state.js";
import { reportSeen } from "./thread.js";

export function isOpen() { return !el.panel.hidden; }

export function openPanel(focusInput) {
  el.panel.hidden = false;
  el.launcher.setAttribute("aria-expanded", "true");
  root.classList.add("is-open");
  state.unread = 0;
  renderUnread();
  hidePreview();
  rememberOpen(true);
  ensureConnected();
  scrollToEnd();
  reportSeen();
  if (focusInput !== false) el.input.focus();
}

export function closePanel() {
  el.panel.hidden = true;
  el.launcher.setAttribute("aria-expanded", "false");
  root.classList.remove("is-open");
  el.confirm.hidden = true;
  closeMenu(false);
  rememberOpen(false);
  el.launcher.focus();
}

export function renderUnread() {
  el.unread.hidden = state.unread === 0;
  el.unread.dataset.count = badgeText(state.unread);
}

export function scrollToEnd() {
  el.scroll.scrollTop = el.scroll.scrollHeight;
  state.pinned = true;
}

export function stickToEnd() {
  // Called right after every layout change we make, so a late scroll event sees the end.
  if (state.pinned) el.scroll.scrollTop = el.scroll.scrollHeight;
}

export function keepPinnedToEnd() {
  // Notices and the on-screen keyboard resize the panel; stay at the newest message if we were there.
  el.scroll.addEventListener("scroll", () => {
    state.pinned = el.scroll.scrollTop + el.scroll.clientHeight >= el.scroll.scrollHeight - 24;
  }, { passive: true });
  if (window.ResizeObserver) new ResizeObserver(stickToEnd).observe(el.scroll);
}

export function statusName() {
  if (!state.connected) return state.everConnected ? "reconnecting" : "connecting";
  if (state.operatorsOnline === null) return "connecting";
  return state.operatorsOnline ? "online" : "offline";
}

export function setStatus(name) {
  el.status.dataset.state = name;
  el.statusText.textContent = t("status_" + name);
  root.dataset.connection = name;
  el.offline.hidden = name !== "offline";
  renderResumeCode();
  stickToEnd();
}

/* ---------- alerts ---------- */

export function showAlert(key, text, kind) {
  let alert = el.alerts.querySelector('[data-key="' + key + '"]');
  if (!alert) {
    alert = document.createElement("div");
    alert.dataset.key = key;
    const p = document.createElement("p");
    const dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "chat-alert-dismiss";
    dismiss.setAttribute("aria-label", t("dismiss"));
    dismiss.title = t("dismiss");
    dismiss.textContent = "×";
    dismiss.addEventListener("click", () => { alert.remove(); stickToEnd(); el.input.focus(); });
    alert.append(p, dismiss);
    el.alerts.appendChild(alert);
  }
  alert.className = "chat-alert is-" + (kind || "info");
  alert.querySelector("p").textContent = text;
  stickToEnd();
}

export function clearAlert(key) {
  const alert = el.alerts.querySelector('[data-key="' + key + '"]');
  if (alert) alert.remove();
  stickToEnd();
}
