/* Rating a closed conversation: 1-5 stars (a radio group) and an optional comment, sent with
   `rate`. The visitor may change it while the conversation stays closed; a new message reopens
   the conversation and puts the form away (docs/chat.md). */
import { emitWithAck } from "../../../static/js/socket.js";
import { clearAlert, showAlert, stickToEnd } from "./panel.js";
import { canTalk, find as byId, state, t } from "./state.js";

const rating = { closed: false, given: null, changing: false };
const form = () => byId("chat-rating");
const done = () => byId("chat-rated");
const comment = () => byId("chat-rating-comment");

function stars() {
  return Array.from(form().querySelectorAll(".chat-star-input"));
}

function lightStars(count) {
  form().querySelectorAll(".chat-star").forEach((label, index) => label.classList.toggle("is-lit", index < count));
}

function render() {
  const active = Boolean(state.token) && rating.closed;
  form().hidden = !active || (Boolean(rating.given) && !rating.changing);
  done().hidden = !active || !rating.given || rating.changing;
  byId("chat-rated-text").textContent = rating.given ? t("rating_thanks", { count: rating.given.stars }) : "";
  stickToEnd();
}

/** The server's view of the conversation (history): closed or not, and its rating. */
export function applyRatingState(conversation) {
  if (typeof conversation.status === "string") rating.closed = conversation.status === "closed";
  if ("rating" in conversation) rating.given = conversation.rating;
  render();
}

export function onConversationClosed() {
  rating.closed = true;
  render();
}

export function onConversationActive() {
  rating.closed = false;
  rating.changing = false;
  render();
}

export function resetRating() {
  Object.assign(rating, { closed: false, given: null, changing: false });
  form().reset();
  lightStars(0);
  render();
}

function submit() {
  const chosen = stars().find((input) => input.checked);
  if (!chosen) { showAlert("rating", t("rating_choose"), "warn"); stars()[0].focus(); return; }
  if (!canTalk()) { showAlert("rating", t("connect_failed"), "warn"); return; }
  emitWithAck(state.socket, "rate", { stars: Number(chosen.value), comment: comment().value }).then((ack) => {
    if (!ack.ok) { showAlert("rating", (ack.error && ack.error.message) || t("error_unknown"), "error"); return; }
    clearAlert("rating");
    rating.given = ack.rating;
    rating.changing = false;
    render();
    byId("chat-rated-text").focus();
  });
}

function change() {
  rating.changing = true;
  stars().forEach((input) => { input.checked = Number(input.value) === rating.given.stars; });
  comment().value = rating.given.comment || "";
  lightStars(rating.given.stars);
  render();
  stars()[rating.given.stars - 1].focus();
}

export function wireRating() {
  form().addEventListener("change", (event) => {
    if (event.target.classList.contains("chat-star-input")) lightStars(Number(event.target.value));
  });
  form().addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  byId("chat-rating-change").addEventListener("click", change);
}
