/* Transcript download (blueprints/console/export.py): fetched with the bearer token, then saved
   through a temporary link, since a plain link could not carry the token. */
import { showAlert, errorText } from "./reply.js";
import { root, state } from "./state.js";

function fileName(response, fallback) {
  const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
  return match ? match[1] : fallback;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Download the open conversation's transcript as "text" or "json"; refusals show as an alert. */
export function downloadTranscript(kind) {
  const id = state.currentId;
  if (id === null || !state.token) return Promise.resolve();
  const url = root.dataset.transcriptUrl.replace("/0/", "/" + id + "/") + "?format=" + kind;
  const init = { headers: { Authorization: "Bearer " + state.token }, credentials: "omit", cache: "no-store" };
  return window.fetch(url, init).then((response) => {
    if (response.ok) return response.blob().then((blob) => save(blob, fileName(response, "transcript." + kind)));
    return response.json().then((body) => showAlert(errorText(body && body.error)), () => showAlert(errorText(null)));
  }, () => showAlert(errorText({ code: "unavailable" })));
}
