/* The visitor's rating of a closed conversation, as operators see it. */
import { byId, make } from "../../../static/js/dom.js";
import { t } from "./state.js";

const STARS = 5;

function stars(count) {
  return "★".repeat(count) + "☆".repeat(STARS - count);
}

/** The open conversation's rating line, hidden while there is none. */
export function renderRating(conversation) {
  const line = byId("conversation-rating");
  const rating = conversation.rating;
  line.textContent = "";
  line.hidden = !rating;
  if (!rating) return;
  line.append(make("span", "console-stars", stars(rating.stars)), " ", t("rating_label", { stars: rating.stars }));
  if (rating.comment) {
    const comment = make("q", "console-rating-comment", rating.comment);
    comment.dir = "auto";
    line.append(" ", comment);
  }
  line.querySelector(".console-stars").setAttribute("aria-hidden", "true");
}

/** A queue entry's rating: stars for the eye, the sentence for screen readers. */
export function queueRating(conversation) {
  const rating = conversation.rating;
  if (!rating) return null;
  const badge = make("span", "console-queue-rating");
  const visible = make("span", null, "★ " + rating.stars);
  visible.setAttribute("aria-hidden", "true");
  badge.append(visible, make("span", "visually-hidden", t("rating_label", { stars: rating.stars })));
  return badge;
}
