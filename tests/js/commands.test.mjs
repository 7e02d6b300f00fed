import assert from "node:assert/strict";
import { test } from "node:test";

import { CommandRegistry, labelOf } from "../../clipai/static/js/commands.js";

const registry = new CommandRegistry();
const registerAction = (command) => registry.register(command);
const registerProvider = (provider) => registry.provide(provider);
const commandsFor = (query) => registry.find(query);
const labels = (query) => commandsFor(query).map(labelOf);

registerAction({ id: "close", label: "Close this conversation", run() {} });
registerAction({ id: "tab-open", label: () => "Show the open conversations", run() {} });
registerAction({ id: "hidden", label: "Reopen this conversation", available: () => false, run() {} });
registerProvider((query) => (/^#?\d+$/.test(query) ? [{ id: "open", label: `Open conversation #${query.replace("#", "")}`, run() {} }] : []));

test("every available command, in the order registered, for an empty query", () => {
  assert.deepEqual(labels(""), ["Close this conversation", "Show the open conversations"]);
});

test("every typed word must appear in the label, in any case and order", () => {
  assert.deepEqual(labels("CONVERSATION close"), ["Close this conversation"]);
  assert.deepEqual(labels("show   open"), ["Show the open conversations"]);
  assert.deepEqual(labels("nothing like it"), []);
});

test("commands that are not available now are left out", () => {
  assert.deepEqual(labels("reopen"), []);
});

test("a provider's commands come first", () => {
  assert.deepEqual(labels("#12"), ["Open conversation #12"]);
  assert.deepEqual(labels("12"), ["Open conversation #12"]);
});

test("at most the limit is shown", () => {
  const small = new CommandRegistry(2);
  ["a one", "a two", "a three"].forEach((label, index) => small.register({ id: String(index), label, run() {} }));
  assert.deepEqual(small.find("a").map(labelOf), ["a one", "a two"]);
});

test("registering an id again replaces the command", () => {
  let ran = "";
  registerAction({ id: "close", label: "Close it now", run() { ran = "new"; } });
  const found = commandsFor("close");
  assert.deepEqual(found.map((action) => action.label), ["Close it now"]);
  found[0].run();
  assert.equal(ran, "new");
});
