/* Collision notice: which colleagues view, or type in, the open conversation (server side:
   blueprints/console/collision.py). We say what we view; a colleague who opens the same
   conversation asks, and we answer by saying it again, so whoever came first is known. */
import { emit } from "./link.js";
import { el, isLive, state, t } from "./state.js";

/** Tell the other operators that we now view conversation id (null: none). */
export function announceViewing(id) {
  if (isLive()) emit("viewing", { conversation_id: id });
}

function colleaguesOf(id) {
  if (!state.colleagues.has(id)) state.colleagues.set(id, new Map());
  return state.colleagues.get(id);
}

export function onColleagueEvent(payload) {
  if (!payload || typeof payload.conversation_id !== "number" || !payload.operator || !payload.key) return;
  const id = payload.conversation_id;
  if (payload.viewing) {
    colleaguesOf(id).set(payload.key, { id: payload.operator.id, alias: payload.operator.alias, typing: Boolean(payload.typing) });
  } else {
    colleaguesOf(id).delete(payload.key);
  }
  if (payload.ask && id === state.currentId && isLive()) emit("viewing", { conversation_id: id, again: true });
  if (id === state.currentId) renderCollision();
}

/** Forget every colleague (after a reconnect they announce themselves again) or those of one conversation. */
export function forgetColleagues(id) {
  if (id === undefined) state.colleagues.clear(); else state.colleagues.delete(id);
  renderCollision();
}

/** Drop colleagues who are no longer connected anywhere (their process may have stopped). */
export function keepConnectedColleagues(operators) {
  const connected = new Set(operators.map((operator) => operator.id));
  state.colleagues.forEach((byKey) => byKey.forEach((colleague, key) => {
    if (!connected.has(colleague.id)) byKey.delete(key);
  }));
  renderCollision();
}

function uniqueAliases(colleagues) {
  return Array.from(new Set(colleagues.map((colleague) => colleague.alias))).join(", ");
}

export function renderCollision() {
  const me = (state.profile || {}).id;  // our own other tabs are no colleague
  const here = Array.from((state.colleagues.get(state.currentId) || new Map()).values()).filter((colleague) => colleague.id !== me);
  const typing = here.filter((colleague) => colleague.typing);
  const viewing = here.filter((colleague) => !colleague.typing);
  el.collision.viewing.textContent = viewing.length ? t("colleagues_viewing", { names: uniqueAliases(viewing) }) : "";
  el.collision.typing.textContent = typing.length ? t("colleagues_typing", { names: uniqueAliases(typing) }) : "";
  el.collision.box.hidden = here.length === 0;
}
