// The shape of a CLI subcommand: one file exports one of these, and cli/commands.ts lists it.
import type { Command } from "commander";
import type { CliIo } from "./io";

export interface CliCommand {
  /** Space-separated words, e.g. "credentials set": parents are created as needed. */
  name: string;
  register(command: Command, io: CliIo): void;
}

/** Finds or creates the nested command for a multi-word name. */
export function commandAt(program: Command, words: string[]): Command {
  let current = program;
  for (const word of words) {
    current = current.commands.find((c) => c.name() === word) ?? current.command(word);
  }
  return current;
}

/** The global --url option, wherever the command sits. */
export function urlOption(command: Command): string | undefined {
  const opts = command.optsWithGlobals<{ url?: string }>();
  return opts.url;
}
