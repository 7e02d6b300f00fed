/* The composer: the length counter, the pre-send hint against typing personal data
   (DESIGN.md §2), our "typing" signal, and Enter on keyboards that have Shift. */
import { visibleLength } from "../../../static/js/format.js";
import { TypingSignal } from "../../../static/js/typing.js";
import { personalKinds } from "./hint.js";
import { stickToEnd } from "./panel.js";
import { canTalk, el, locale, maxLength, number, state, t } from "./state.js";

const COUNTER_FROM = 0.8;

/** The hint for what the text seems to hold: one kind in its own sentence, several named together. */
function hintFor(kinds) {
  if (!kinds.length) return "";
  if (kinds.length === 1) return t("hint_" + kinds[0]);
  const names = kinds.map((kind) => t("kind_" + kind));
  let list;
  try { list = new Intl.ListFormat(locale, { type: "conjunction" }).format(names); } catch (e) { list = names.join(", "); }
  return t("hint_several", { kinds: list });
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
  const hint = hintFor(personalKinds(text));
  el.hint.hidden = !hint;
  el.hint.textContent = hint;
  el.composer.classList.toggle("has-text", Boolean(text.trim()));
  stickToEnd();
}

/** Touch screens have no Shift+Enter: there Enter starts a new line and the button sends. */
export const touchOnly = Boolean(window.matchMedia && window.matchMedia("(pointer: coarse)").matches);

export function enterSends(event) {
  return event.key === "Enter" && !event.shiftKey && !event.isComposing && !touchOnly;
}
