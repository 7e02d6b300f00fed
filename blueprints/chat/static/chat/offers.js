/* Two questions the widget asks in plain words: after the first message, whether to keep the
   chat on this device (opt-in: until then it ends with the tab); and, when the page was opened
   with a resume link, whether to continue that conversation here. */
import { formatDate } from "../../../static/js/format.js";
import { RESUME_FRAGMENT } from "./menu.js";
import { keptUntil, saveConversation } from "./saved.js";
import { el, locale, state, t } from "./state.js";

let linkedCode = null;

export function renderKeepOffer() {
  const show = Boolean(state.token) && !state.kept && state.keepOffer !== "answered";
  el.keepOffer.hidden = !show;
  el.keepOfferText.textContent = show ? t("keep_offer_text", { date: formatDate(locale, keptUntil()) }) : "";
}

function codeInFragment() {
  if (!location.hash.startsWith("#" + RESUME_FRAGMENT)) return null;
  try { return decodeURIComponent(location.hash.slice(1 + RESUME_FRAGMENT.length)).trim() || null; }
  catch (e) { return null; }
}

/** A resume link opened this page: drop the code from the address, then ask. */
export function offerResumeFromLink(openPanel) {
  if (!location.hash.startsWith("#" + RESUME_FRAGMENT)) return false;
  linkedCode = codeInFragment();
  history.replaceState(history.state, "", location.pathname + location.search);
  if (!linkedCode) return false;
  el.resumeOfferText.textContent = t("resume_offer", { code: linkedCode });
  el.resumeOffer.hidden = false;
  openPanel(false);
  el.resumeOfferYes.focus();
  return true;
}

function answerResumeOffer() {
  el.resumeOffer.hidden = true;
  linkedCode = null;
  el.input.focus();
}

export function wireOffers({ setKept, resumeWithCode }) {
  el.keepYes.addEventListener("click", () => { setKept(true); el.input.focus(); });
  el.keepNo.addEventListener("click", () => {
    state.keepOffer = "answered";
    saveConversation();
    renderKeepOffer();
    el.input.focus();
  });
  el.resumeOfferYes.addEventListener("click", () => {
    const code = linkedCode;
    answerResumeOffer();
    resumeWithCode(code);
  });
  el.resumeOfferNo.addEventListener("click", answerResumeOffer);
}
