/* Images in the console: the attach button and pasting into the reply box (uploads named by the
   open conversation, with the operator's bearer token), the previews, and thumbnails in the thread. */
import { byId } from "../../../static/js/dom.js";
import { ImageTray, pastedImages, thumbnails } from "../../../static/js/images.js";
import { showAlert } from "./reply.js";
import { el, locale, number, root, state, t } from "./state.js";

const maxBytes = (root && parseInt(root.dataset.imageMaxBytes, 10)) || 5 * 1024 * 1024;
const perMessage = (root && parseInt(root.dataset.imagesPerMessage, 10)) || 4;
const attachButton = byId("reply-attach");
const fileInput = byId("reply-file");

const LIMIT_MESSAGES = {
  type: () => t("image_type"),
  size: () => t("image_size", { max: number(Math.floor(maxBytes / (1024 * 1024))) }),
  count: () => t("image_count", { max: number(perMessage) })
};

const labels = {
  alt: (n, count) => t("image_alt", { number: number(n), count: number(count) }),
  open: (n, count) => t("image_open", { number: number(n), count: number(count) })
};

export const tray = new ImageTray({
  list: byId("reply-previews"),
  prefix: "console",
  maxCount: perMessage,
  maxBytes,
  lang: locale,
  token: () => state.token,
  conversationId: () => state.currentId,
  messages: (code) => LIMIT_MESSAGES[code](),
  labels: { ...labels, remove: (n) => t("image_remove", { number: number(n) }), uploading: t("image_uploading"),
    failed: t("image_failed") },
  onError: (text) => showAlert(text),
  onChange: () => el.replyForm.classList.toggle("has-images", tray.count > 0),
  afterRemove: () => (tray.count ? tray.list.querySelector("button") : el.reply).focus()
});

/** The thread's thumbnails of a message's images, or null when it has none. */
export function messageImages(message) {
  const images = Array.isArray(message.attachments) ? message.attachments : [];
  return images.length && state.token ? thumbnails("console", images, state.token, labels) : null;
}

function addFiles(files) {
  if (!files.length || state.currentId === null) return;
  el.alerts.textContent = "";
  tray.add(files);
}

export function wireAttachments() {
  attachButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    addFiles(Array.from(fileInput.files || []));
    fileInput.value = "";
  });
  el.reply.addEventListener("paste", (event) => {
    const files = pastedImages(event.clipboardData);
    if (!files.length) return;
    event.preventDefault();
    addFiles(files);
  });
}
