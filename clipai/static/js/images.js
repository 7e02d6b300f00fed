/* Chat images, shared by the visitor widget and the operator console: checking a file before it
   is sent, uploading it over HTTP (never Socket.IO), the tray of images waiting to be sent, and
   thumbnails that fetch the image with the bearer token and show it from a blob: URL. No cookie
   ever travels (credentials omitted) and nothing is cached (the server says no-store too). */
import { make } from "./dom.js";

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];
export const UPLOAD_URL = "/api/chat/attachments";

/** Why a file cannot be attached: "type", "size", or null when it can. */
export function fileProblem(file, maxBytes) {
  if (!file || !IMAGE_TYPES.includes(file.type)) return "type";
  if (file.size > maxBytes) return "size";
  return null;
}

/** The files of a paste or drop that are (or claim to be) images. */
export function pastedImages(dataTransfer) {
  if (!dataTransfer) return [];
  return Array.from(dataTransfer.files || []).filter((file) => file.type.startsWith("image/"));
}

function authorized(token, init = {}) {
  return { ...init, headers: { Accept: "application/json", Authorization: "Bearer " + token },
    credentials: "omit", cache: "no-store" };
}

/** POST one image; resolve {status, body} (status 0 when the network failed). */
export function uploadImage(file, token, conversationId, lang) {
  const form = new FormData();
  form.append("file", file, file.name || "image");
  const query = new URLSearchParams({ lang });
  if (conversationId) query.set("conversation_id", String(conversationId));
  return window.fetch(UPLOAD_URL + "?" + query, authorized(token, { method: "POST", body: form }))
    .then((response) => response.json().catch(() => null).then((body) => ({ status: response.status, body })),
      () => ({ status: 0, body: null }));
}

/** Take back an uploaded image that will not be sent (best effort: the server purges it anyway). */
export function removeUpload(id, token) {
  return window.fetch(UPLOAD_URL + "/" + id, authorized(token, { method: "DELETE" })).catch(() => null);
}

const blobUrls = new Map();  // attachment id -> Promise of a blob: URL

/** A blob: URL of the image, fetched once with the token (an <img src> cannot send a header). */
export function imageUrl(attachment, token) {
  if (!blobUrls.has(attachment.id)) {
    const loaded = window.fetch(attachment.url, authorized(token))
      .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
      .then((blob) => URL.createObjectURL(blob));
    loaded.catch(() => blobUrls.delete(attachment.id));
    blobUrls.set(attachment.id, loaded);
  }
  return blobUrls.get(attachment.id);
}

/** Forget every fetched image (the conversation was erased or the operator signed out). */
export function forgetImages() {
  blobUrls.forEach((loaded) => loaded.then((url) => URL.revokeObjectURL(url), () => null));
  blobUrls.clear();
}

/**
 * Thumbnails of a message's images, each a link that opens it in full size:
 * <ul class="PREFIX-attachments"><li><a target=_blank><img alt></a></li></ul>.
 * labels: {alt(number, count), open(number, count)}.
 */
export function thumbnails(prefix, attachments, token, labels) {
  const list = make("ul", prefix + "-attachments");
  attachments.forEach((attachment, index) => {
    const number = index + 1;
    const link = make("a", prefix + "-attachment");
    link.target = "_blank";
    link.rel = "noopener";
    link.setAttribute("aria-label", labels.open(number, attachments.length));
    const img = make("img");
    img.alt = labels.alt(number, attachments.length);
    img.width = attachment.width;
    img.height = attachment.height;
    link.append(img);
    imageUrl(attachment, token).then((url) => { img.src = url; link.href = url; }, () => link.classList.add("is-broken"));
    const item = make("li");
    item.append(link);
    list.append(item);
  });
  return list;
}

/**
 * The images waiting to be sent with the next message: each is uploaded as soon as it is picked,
 * shown as a preview with a remove button, and sent by id.
 * options: {list (an <ul>), prefix, maxCount, maxBytes, token(), conversationId(), lang,
 *           labels: {remove(number), uploading, alt(number, count)}, onError(text), onChange()}
 * messages(code): the text for a client-side refusal ("type", "size", "count").
 */
export class ImageTray {
  constructor(options) {
    Object.assign(this, options);
    this.items = [];  // {file, preview (blob: URL), attachment|null, li}
  }

  get count() { return this.items.length; }
  get uploading() { return this.items.some((item) => !item.attachment); }

  /** The ids of the uploaded images. */
  ids() { return this.items.filter((item) => item.attachment).map((item) => item.attachment.id); }

  attachments() { return this.items.filter((item) => item.attachment).map((item) => item.attachment); }

  add(files) {
    for (const file of files) {
      if (this.items.length >= this.maxCount) { this.onError(this.messages("count")); break; }
      const problem = fileProblem(file, this.maxBytes);
      if (problem) { this.onError(this.messages(problem)); continue; }
      this.upload({ file, preview: URL.createObjectURL(file), attachment: null, li: null });
    }
    this.render();
  }

  upload(item) {
    this.items.push(item);
    uploadImage(item.file, this.token(), this.conversationId(), this.lang).then((result) => {
      if (!this.items.includes(item)) {  // removed while it was uploading
        if (result.status === 201) removeUpload(result.body.attachment.id, this.token());
        return;
      }
      if (result.status === 201) {
        item.attachment = result.body.attachment;
      } else {
        this.drop(item);
        this.onError((result.body && result.body.error && result.body.error.message) || this.labels.failed);
      }
      this.render();
    });
  }

  remove(item) {
    if (item.attachment) removeUpload(item.attachment.id, this.token());
    this.drop(item);
    this.render();
  }

  drop(item) {
    URL.revokeObjectURL(item.preview);
    this.items = this.items.filter((other) => other !== item);
  }

  /** Empty the tray: after the images were sent (they belong to the message now), or taking them back. */
  clear(takeBack = false) {
    this.items.forEach((item) => {
      URL.revokeObjectURL(item.preview);
      if (takeBack && item.attachment) removeUpload(item.attachment.id, this.token());
    });
    this.items = [];
    this.render();
  }

  render() {
    this.list.textContent = "";
    this.items.forEach((item, index) => this.list.append(this.previewItem(item, index)));
    this.list.hidden = !this.items.length;
    this.onChange();
  }

  previewItem(item, index) {
    const li = make("li", this.prefix + "-image-preview" + (item.attachment ? "" : " is-uploading"));
    const img = make("img");
    img.src = item.preview;
    img.alt = this.labels.alt(index + 1, this.items.length);
    const remove = make("button", this.prefix + "-image-preview-remove", "×");
    remove.type = "button";
    remove.setAttribute("aria-label", this.labels.remove(index + 1));
    remove.title = this.labels.remove(index + 1);
    remove.addEventListener("click", () => { this.remove(item); this.afterRemove(); });
    li.append(img, remove);
    if (!item.attachment) li.append(make("span", this.prefix + "-image-preview-state", this.labels.uploading));
    return li;
  }
}
