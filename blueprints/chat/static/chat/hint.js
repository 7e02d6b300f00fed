/* The pre-send hint's detection: loose patterns for what the server's guard would remove
   (DESIGN.md §2). Only a hint: the guard decides. Pure, tested in tests/js/hint.test.mjs. */

const EMAIL_LIKE = /[^\s@<>()]+@[^\s@<>()]+\.[a-z]{2,}/i;
const PHONE_LIKE = /(?:^|[^\w])\+?\d(?:[\s().\-\/]?\d){6,14}(?!\w)/;
// Read like the server's guard does: full-width forms folded, invisible characters dropped,
// Arabic-Indic digits as ASCII ones.
const INVISIBLE = /[\u00AD\u200B-\u200F\u2060\uFEFF]/g;
const ARABIC_DIGITS = /[\u0660-\u0669\u06F0-\u06F9]/g;
const KINDS = [["email", EMAIL_LIKE], ["phone", PHONE_LIKE]];

function asTheGuardReads(text) {
  return text.normalize("NFKC").replace(INVISIBLE, "")
    .replace(ARABIC_DIGITS, (digit) => String((digit.charCodeAt(0) & 0xF) % 10));
}

/** Every kind of personal detail the text seems to hold, in a fixed order ([] for none). */
export function personalKinds(text) {
  const read = asTheGuardReads(String(text || ""));
  // An address's digits are not a phone number: look for phones in what the addresses leave.
  const rest = read.replace(new RegExp(EMAIL_LIKE.source, "gi"), " ");
  return KINDS.filter(([kind, pattern]) => pattern.test(kind === "phone" ? rest : read)).map(([kind]) => kind);
}
