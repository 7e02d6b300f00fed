/* The command palette (Ctrl+K or ⌘+K): every console action by name, filtered as you type.

   Other modules add commands with registerAction({id, label, run, available?, keys?}) (label is a
   string or a function returning one; available() hides the command when it does not apply now;
   keys is shown beside it) and commands that depend on what was typed with
   registerProvider((query) => [action…]) — "#12" opening conversation 12, say.

   ARIA: a modal <dialog> holding a combobox input that controls a listbox; arrows move the
   active option (aria-activedescendant), Enter runs it, Escape closes and focus goes back. */
import { CommandRegistry, labelOf } from "../../../static/js/commands.js";
import { byId, make } from "../../../static/js/dom.js";

const registry = new CommandRegistry();
let shown = [];
let active = 0;
let returnFocus = null;

const ui = {};  // the dialog's elements, found by wirePalette() (the filtering needs no page)

/** Add a command: {id, label, run, available?, keys?}; a second one with the same id replaces the first. */
export function registerAction(action) {
  registry.register(action);
}

/** Add a source of commands computed from the query: provider(query) returns a list of actions. */
export function registerProvider(provider) {
  registry.provide(provider);
}

function render() {
  shown = registry.find(ui.input.value);
  active = Math.min(active, Math.max(shown.length - 1, 0));
  ui.list.textContent = "";
  shown.forEach((action, index) => {
    const option = make("li", "console-palette-option");
    option.id = "palette-option-" + index;
    option.setAttribute("role", "option");
    option.setAttribute("aria-selected", String(index === active));
    option.append(make("span", null, labelOf(action)));
    if (action.keys) option.append(make("kbd", null, action.keys));
    option.addEventListener("mousedown", (event) => event.preventDefault());
    option.addEventListener("click", () => runAt(index));
    ui.list.appendChild(option);
  });
  ui.empty.hidden = shown.length > 0;
  ui.input.setAttribute("aria-expanded", String(shown.length > 0));
  ui.list.hidden = shown.length === 0;
  if (shown.length) {
    ui.input.setAttribute("aria-activedescendant", "palette-option-" + active);
    byId("palette-option-" + active).scrollIntoView({ block: "nearest" });
  } else {
    ui.input.removeAttribute("aria-activedescendant");
  }
}

function runAt(index) {
  const action = shown[index];
  if (!action) return;
  closePalette(false);
  action.run();
}

function onKey(event) {
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!shown.length) return;
    active = (active + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % shown.length;
    render();
  } else if (event.key === "Enter") {
    event.preventDefault();
    runAt(active);
  }
}

export function isPaletteOpen() {
  return Boolean(ui.dialog && ui.dialog.open);
}

export function openPalette() {
  if (!ui.dialog || isPaletteOpen()) return;
  returnFocus = document.activeElement;
  ui.input.value = "";
  active = 0;
  render();
  ui.dialog.showModal();
  ui.input.focus();
}

/** Close the palette; focus goes back where it was unless a command takes it elsewhere. */
export function closePalette(restore = true) {
  if (!isPaletteOpen()) return;
  ui.dialog.close();
  if (restore && returnFocus && document.contains(returnFocus)) returnFocus.focus();
}

export function wirePalette() {
  Object.assign(ui, { dialog: byId("palette"), input: byId("palette-input"), list: byId("palette-list"), empty: byId("palette-empty") });
  if (!ui.dialog) return;
  ui.input.addEventListener("input", () => { active = 0; render(); });
  ui.input.addEventListener("keydown", onKey);
  ui.dialog.addEventListener("cancel", (event) => { event.preventDefault(); closePalette(); });
  ui.dialog.addEventListener("click", (event) => { if (event.target === ui.dialog) closePalette(); });
}
