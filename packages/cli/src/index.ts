// The `latchkey` CLI for publishers: builds the commander program from cli/commands.ts and runs it,
// turning refusals into a message on stderr and a non-zero exit code.
import { Command, CommanderError } from "commander";
import { CliError } from "./api";
import { commandAt, type CliCommand } from "./command";
import { commands as allCommands, groups } from "./commands";
import { processIo, type CliIo } from "./io";
import { version } from "../package.json";

/** The commander program with every command in `commands` registered (tests pass extra ones). */
export function buildProgram(io: CliIo, commands: CliCommand[] = allCommands): Command {
  const program = new Command("latchkey")
    .description("Latchkey CLI: manifests, partner credentials, publishing and runtime test tokens")
    .version(version)
    .option("--url <url>", "Latchkey base URL (default: LATCHKEY_URL, the stored login, or http://localhost:3000)")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  for (const command of commands) {
    const words = command.name.split(" ");
    const node = commandAt(program, words);
    for (const [i, word] of words.slice(0, -1).entries()) {
      const parent = commandAt(program, words.slice(0, i + 1));
      if (!parent.description() && groups[word]) parent.description(groups[word]);
    }
    node.exitOverride().configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    command.register(node, io);
  }
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      // An empty message: the command has said everything already (`latchkey scan` exits 1 on a block).
      if (error.message) io.err(`Error: ${error.message}`);
      for (const line of error.details) io.err(`  ${line}`);
      return error.exitCode;
    }
    if (error instanceof Error && error.name === "ExitPromptError") return 130;
    io.err(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
