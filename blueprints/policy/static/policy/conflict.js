/* A scheduled version stands in the way of the draft (409 scheduled_version_pending): say so and
   offer to withdraw it; once withdrawn, "Publish this version" publishes the draft. */
import { byId } from "../../../static/js/dom.js";
import { call, data, errorMessage, handledAuthFailure, setStatus, t } from "./page.js";

let scheduledNumber = null;

export function hideConflict() {
  scheduledNumber = null;
  byId("scheduled-conflict").hidden = true;
}

export function showConflict(error) {
  scheduledNumber = error.scheduled.number;
  byId("scheduled-conflict-message").textContent = error.message;
  byId("withdraw-scheduled").textContent = t("withdrawScheduled", { number: scheduledNumber });
  byId("scheduled-conflict").hidden = false;
  setStatus("");
  byId("withdraw-scheduled").focus();
}

function withdrawScheduled() {
  if (scheduledNumber === null) return;
  const number = scheduledNumber;
  const button = byId("withdraw-scheduled");
  button.disabled = true;
  setStatus(t("withdrawing", { number }));
  call(data.urls.versions + "/" + number + "/withdraw", { method: "POST" }).then((result) => {
    button.disabled = false;
    if (handledAuthFailure(result)) return;
    if (result.status !== 200) {
      setStatus(errorMessage(result, t("networkError")), true);
      return;
    }
    hideConflict();
    setStatus(t("withdrawn", { number }));
    byId("confirm-publish").focus();
  });
}

export function startConflict() {
  byId("withdraw-scheduled").addEventListener("click", withdrawScheduled);
}
