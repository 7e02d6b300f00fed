/* Tags on conversations: shown in the conversation and the queue, added and removed by
   operators, and a filter of the queue ("tag:billing" in the search box, or a click on a tag). */
import { byId, make } from "../../../static/js/dom.js";
import { upsertConversation } from "./conversations.js";
import { emit } from "./link.js";
import { recordErrorText } from "./notes.js";
import { renderQueue } from "./queue.js";
import { showAlert } from "./reply.js";
import { el, state, t } from "./state.js";

export const TAG_QUERY = /^tag:\s*(\S.*)$/i;

function tagAction(event, tag, then) {
  const id = state.currentId;
  if (id === null) return;
  emit(event, { conversation_id: id, tag }).then((ack) => {
    if (!ack.ok) { showAlert(recordErrorText(ack.error)); return; }
    el.alerts.textContent = "";
    upsertConversation(ack.conversation);
    renderQueue();
    if (state.currentId === id) renderTags(ack.conversation);
    if (then) then();
  });
}

function tagItem(tag) {
  const li = make("li", "console-tag-item");
  const filter = make("button", "console-tag", "#" + tag);
  filter.type = "button";
  filter.dir = "auto";  // "#billing" stays one word on an Arabic page
  filter.title = t("tag_filter", { tag });
  filter.addEventListener("click", () => {
    el.searchInput.value = "tag:" + tag;
    searchTag(tag);
  });
  const remove = make("button", "console-tag-remove", "×");
  remove.type = "button";
  remove.setAttribute("aria-label", t("tag_remove", { tag }));
  remove.title = t("tag_remove", { tag });
  remove.addEventListener("click", () => tagAction("untag", tag, () => byId("tag-input").focus()));
  li.append(filter, remove);
  return li;
}

/** The open conversation's tags. */
export function renderTags(conversation) {
  const list = byId("tag-list");
  list.textContent = "";
  (conversation.tags || []).forEach((tag) => list.appendChild(tagItem(tag)));
  list.hidden = !list.children.length;
}

/** The tags of a queue entry, as text (the entry is one button). */
export function queueTags(conversation) {
  const tags = conversation.tags || [];
  if (!tags.length) return null;
  const span = make("span", "console-queue-tags", tags.map((tag) => "#" + tag).join(" "));
  span.dir = "auto";
  return span;
}

/** Show the conversations with that tag in place of the tab's list, like search results. */
export function searchTag(tag) {
  emit("list", { tag }).then((ack) => {
    state.searchMatches = new Map();
    state.searchResults = [];
    if (!ack.ok) { renderQueue(); el.queueEmpty.textContent = recordErrorText(ack.error); return; }
    (ack.conversations || []).forEach((conversation) => {
      const merged = upsertConversation(conversation);
      if (merged) state.searchResults.push(merged.id);
    });
    renderQueue();
  });
}

export function wireTags() {
  const input = byId("tag-input");
  byId("tag-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const tag = input.value.trim();
    if (!tag) { input.focus(); return; }
    tagAction("tag", tag, () => { input.value = ""; input.focus(); });
  });
}
