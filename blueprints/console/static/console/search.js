/* Searching the conversations: results replace the tab's list until cleared. */
import { upsertConversation } from "./conversations.js";
import { emit } from "./link.js";
import { renderQueue, selectTab } from "./queue.js";
import { errorText } from "./reply.js";
import { el, state } from "./state.js";
import { searchTag, TAG_QUERY } from "./tags.js";

export function search(query) {
  if (!query) { selectTab(state.tab); return; }
  const tag = TAG_QUERY.exec(query);
  if (tag) { searchTag(tag[1]); return; }
  emit("search", { query }).then((ack) => {
    if (!ack.ok) { state.searchResults = []; renderQueue(); el.queueEmpty.textContent = errorText(ack.error); return; }
    state.searchResults = [];
    state.searchMatches = new Map();
    (ack.results || []).forEach((result) => {
      const conversation = upsertConversation(result.conversation);
      if (!conversation || state.searchMatches.has(conversation.id)) return;
      state.searchResults.push(conversation.id);
      state.searchMatches.set(conversation.id, result.message);  // newest matching message
    });
    renderQueue();
  });
}
