/* Images in the widget: the attach button, pasting from the clipboard, the previews waiting to be
   sent (with the notice that images are not redacted), and thumbnails in the thread. Uploads need
   the conversation's token, so images can be attached once the first message created it: nothing
   is stored before the first message (DESIGN.md §2). */
import { ImageTray, pastedImages, thumbnails } from "../../../static/js/images.js";
import { clearAlert, showAlert, stickToEnd } from "./panel.js";
import { el, find as byId, locale, number, root, server, state, t } from "./state.js";

const maxBytes = (root && parseInt(root.dataset.imageMaxBytes, 10)) || 5 * 1024 * 1024;
const perMessage = (root && parseInt(root.dataset.imagesPerMessage, 10)) || 4;
const attachButton = byId("chat-attach");
const fileInput = byId("chat-file");
const notice = byId("chat-images-notice");

const LIMIT_MESSAGES = {
  type: () => t("image_type"),
  size: () => t("image_size", { max: number(Math.floor(maxBytes / (1024 * 1024))) }),
  count: () => t("image_count", { max: number(perMessage) })
};

export const tray = new ImageTray({
  list: byId("chat-previews"),
  prefix: "chat",
  maxCount: perMessage,
  maxBytes,
  lang: locale,
  token: () => state.token,
  conversationId: () => null,
  messages: (code) => LIMIT_MESSAGES[code](),
  labels: {
    remove: (n) => t("image_remove", { number: number(n) }),
    alt: (n, count) => t("image_alt", { number: number(n), count: number(count) }),
    uploading: t("image_uploading"),
    failed: t("image_failed")
  },
  onError: (text) => showAlert("images", text, "error"),
  onChange: () => {
    notice.hidden = !tray.count;
    el.composer.classList.toggle("has-images", tray.count > 0);
    stickToEnd();
  },
  afterRemove: () => (tray.count ? tray.list.querySelector("button") : el.input).focus()
});

const labels = {
  alt: (n, count) => t("image_alt", { number: number(n), count: number(count) }),
  open: (n, count) => t("image_open", { number: number(n), count: number(count) })
};

/** The thread's thumbnails of a stored message's images, or null when it has none. */
export function messageImages(message) {
  const images = Array.isArray(message.attachments) ? message.attachments : [];
  return images.length && state.token ? thumbnails("chat", images, state.token, labels) : null;
}

function addFiles(files) {
  if (!files.length) return;
  if (!state.token) { showAlert("images", t("attach_later"), "info"); return; }
  clearAlert("images");
  tray.add(files);
}

export function wireAttachments() {
  // Embedded on another site (chat/embed.js) the widget takes no images: uploads and image
  // requests would need cross-origin requests with the token, which the embed does not make.
  if (server) { attachButton.hidden = true; return; }
  attachButton.addEventListener("click", () => {
    if (!state.token) { showAlert("images", t("attach_later"), "info"); return; }
    fileInput.click();
  });
  fileInput.addEventListener("change", () => {
    addFiles(Array.from(fileInput.files || []));
    fileInput.value = "";
  });
  el.input.addEventListener("paste", (event) => {
    const files = pastedImages(event.clipboardData);
    if (!files.length) return;
    event.preventDefault();
    addFiles(files);
  });
}
