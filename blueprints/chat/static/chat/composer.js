/* The composer: the length counter, the pre-send hint against typing personal data
   (DESIGN.md §2), and our "typing" signal. */
import { visibleLength } from "../../../static/js/format.js";
import { TypingSignal } from "../../../static/js/typing.js";
import { stickToEnd } from "./panel.js";
import { canTalk, el, maxLength, number, state, t } from "./state.js";

const COUNTER_FROM = 0.8;
const EMAIL_LIKE = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;
const PHONE_LIKE = /(?:^|[^\w])\+?\d(?:[\s().\-\/]?\d){6,14}(?!\w)/;
// Read like the server's guard does: full-width forms folded, invisible characters dropped,
// Arabic-Indic digits as ASCII ones.
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060\uFEFF]/g;
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;

function asTheGuardReads(text) {
  return text.normalize("NFKC").replace(INVISIBLE, "")
    .replace(ARABIC_DIGITS, (digit) => String((digit.charCodeAt(0) & 0xF) % 10));
}

export const typing = new TypingSignal({
  emit: (active) => state.socket.emit("typing", { active }),
  canSend: canTalk
});

export function onInputChanged() {
  const text = el.input.value;
  const length = visibleLength(text);
  const showCounter = length >= Math.floor(maxLength * COUNTER_FROM);
  el.counter.hidden = !showCounter;
  el.counter.textContent = showCounter ? t("counter", { count: number(length), max: number(maxLength) }) : "";
  el.counter.classList.toggle("is-over", length > maxLength);
  el.input.setAttribute("aria-invalid", length > maxLength ? "true" : "false");
  const read = asTheGuardReads(text);
  const hint = EMAIL_LIKE.test(read) ? "hint_email" : (PHONE_LIKE.test(read) ? "hint_phone" : null);
  el.hint.hidden = !hint;
  el.hint.textContent = hint ? t(hint) : "";
  el.composer.classList.toggle("has-text", Boolean(text.trim()));
  stickToEnd();
}
