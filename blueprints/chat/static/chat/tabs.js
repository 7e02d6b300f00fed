/* Tabs of this browser that are open at the same time share one conversation over a
   BroadcastChannel (same origin only, nothing persistent): a tab without a conversation asks,
   and a tab that has one answers with it; starting, keeping or forgetting one is told to all. */
import { state } from "./state.js";

const CHANNEL = "clipai.chat";
let channel = null;

/** Listen to the other tabs; onShared(conversation) gets what one of them shares. */
export function startTabs(onShared) {
  if (!window.BroadcastChannel) return;
  channel = new BroadcastChannel(CHANNEL);
  channel.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "ask") shareConversation();
    else if (data.type === "conversation" && typeof data.token === "string") onShared(data);
  });
  if (!state.token) channel.postMessage({ type: "ask" });
}

export function shareConversation() {
  if (!channel || !state.token) return;
  channel.postMessage({
    type: "conversation", token: state.token, resumeCode: state.resumeCode, kept: state.kept,
    muted: state.muted, keepOffer: state.keepOffer
  });
}
