/* A registry of named commands, filtered by what was typed: the console's command palette uses
   it (blueprints/console/static/console/palette.js). Knows nothing of the DOM. */

/** A command's label (it may be a function, read each time so it follows the page's state). */
export function labelOf(command) {
  return typeof command.label === "function" ? command.label() : command.label;
}

export class CommandRegistry {
  constructor(limit = 50) {
    this.limit = limit;
    this.commands = [];
    this.providers = [];
  }

  /** Add {id, label, run, available?, keys?}; the same id again replaces the earlier command. */
  register(command) {
    const index = this.commands.findIndex((other) => other.id === command.id);
    if (index === -1) this.commands.push(command); else this.commands[index] = command;
  }

  /** Add provider(query) → commands computed from what was typed ("#12" → open conversation 12). */
  provide(provider) {
    this.providers.push(provider);
  }

  /** The providers' commands first, then every available command whose label has all typed words. */
  find(query) {
    const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
    const matches = (command) => words.every((word) => labelOf(command).toLocaleLowerCase().includes(word));
    const computed = this.providers.flatMap((provider) => provider(query.trim()) || []);
    const fixed = this.commands.filter((command) => (!command.available || command.available()) && matches(command));
    return computed.concat(fixed).slice(0, this.limit);
  }
}
