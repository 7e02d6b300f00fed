/* The queue: the tabs with their counts, the list of conversations (or search results), and
   the unread total in the page title. */
import { byId, make } from "../../../static/js/dom.js";
import { formatWhen } from "../../../static/js/format.js";
import { openConversation } from "./conversation.js";
import { activityOf, assignmentLabel, tabOf } from "./conversations.js";
import { queueRating } from "./rating.js";
import { queueTags } from "./tags.js";
import { baseTitle, el, locale, number, state, t, TABS } from "./state.js";

export function visibleIds() {
  if (state.searchResults) return state.searchResults.filter((id) => state.conversations.has(id));
  return Array.from(state.conversations.values())
    .filter((conversation) => tabOf(conversation) === state.tab)
    .sort((a, b) => activityOf(b) - activityOf(a) || b.id - a.id)
    .map((conversation) => conversation.id);
}

function previewOf(conversation) {
  const match = state.searchResults && state.searchMatches && state.searchMatches.get(conversation.id);
  if (match) return match.text;
  const last = conversation.last_message;
  if (last && typeof last === "object") return last.text || t("image_message");  // only images come without text
  if (typeof last === "string") return last;
  const history = state.history.get(conversation.id);
  if (history && history.size) return Array.from(history.values()).pop().text;
  return conversation.preview || t("no_messages");
}

function renderTab(tab) {
  const tabButton = byId("tab-" + tab);
  const selected = !state.searchResults && tab === state.tab;
  tabButton.setAttribute("aria-selected", String(selected));
  tabButton.tabIndex = selected ? 0 : -1;
  const ids = [];
  state.conversations.forEach((conversation) => { if (tabOf(conversation) === tab) ids.push(conversation.id); });
  const badge = byId("count-" + tab);
  badge.textContent = ids.length ? number(ids.length) : "";
  badge.classList.toggle("has-unread", state.unread.total(ids) > 0);
}

/** When the open conversation moves to another tab (Waiting to Open, say) while we look at the
    tab it was in, go with it rather than let it drop out of the list. */
function followOpenConversation() {
  const conversation = state.conversations.get(state.currentId);
  const now = conversation ? tabOf(conversation) : null;
  if (now && state.currentTab && now !== state.currentTab && state.tab === state.currentTab && !state.searchResults) {
    state.tab = now;
  }
  state.currentTab = now;
}

export function renderQueue() {
  followOpenConversation();
  TABS.forEach(renderTab);
  el.searchHead.hidden = !state.searchResults;
  el.queuePanel.setAttribute("aria-labelledby", state.searchResults ? "search-head" : "tab-" + state.tab);
  const ids = visibleIds();
  el.queue.textContent = "";
  ids.forEach((id) => el.queue.appendChild(queueItem(state.conversations.get(id))));
  el.queueEmpty.hidden = ids.length > 0;
  el.queueEmpty.textContent = state.searchResults ? t("search_empty") : t("empty_" + state.tab);
  renderTitle();
}

function queueItem(conversation) {
  const li = make("li");
  const button = make("button", "console-queue-item");
  button.type = "button";
  button.dataset.id = String(conversation.id);
  if (conversation.id === state.currentId) button.setAttribute("aria-current", "true");
  const top = make("span", "console-queue-top");
  top.append(make("strong", null, t("conversation_number", { id: conversation.id })));
  top.append(make("span", "console-lang", (conversation.locale || "?").toUpperCase()));
  top.append(make("span", "console-when", formatWhen(locale, conversation.last_activity_at)));
  const preview = make("span", "console-preview", previewOf(conversation));
  preview.dir = "auto";
  const bottom = make("span", "console-queue-bottom");
  bottom.append(make("span", "console-assigned", assignmentLabel(conversation, t)));
  [queueTags(conversation), queueRating(conversation)].forEach((part) => { if (part) bottom.append(part); });
  const unread = state.unread.of(conversation.id);
  if (unread) {
    // A span cannot carry aria-label: screen readers get the sentence, eyes the number.
    const label = t("unread_count", { count: number(unread) });
    const badge = make("span", "console-unread", number(unread));
    badge.title = label;
    badge.setAttribute("aria-hidden", "true");
    bottom.append(badge, make("span", "visually-hidden", label));
  }
  button.append(top, preview, bottom);
  button.addEventListener("click", () => openConversation(conversation.id, true));
  li.appendChild(button);
  return li;
}

export function renderTitle() {
  const total = state.unread.total();
  document.title = (total ? "(" + total + ") " : "") + baseTitle;
}

export function selectTab(tab) {
  state.tab = tab;
  state.searchResults = null;
  renderQueue();
}

/** Open the next (step 1) or previous (step -1) conversation of the list. */
export function moveConversation(step) {
  const ids = visibleIds();
  if (!ids.length) return;
  const index = ids.indexOf(state.currentId);
  const next = index === -1 ? (step > 0 ? 0 : ids.length - 1) : Math.min(ids.length - 1, Math.max(0, index + step));
  openConversation(ids[next], false);
  const button = el.queue.querySelector('[data-id="' + ids[next] + '"]');
  if (button) button.scrollIntoView({ block: "nearest" });
}
