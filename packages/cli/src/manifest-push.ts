// `latchkey manifest push FILE`: uploads a manifest, creating the extension or a new draft version.
import fs from "node:fs/promises";
import { callApi, CliError } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";

interface PushResult {
  extension: { slug: string; name: string; status: string };
  version: { version: string };
  created: boolean;
  warnings: { path: string; line: number; column: number; message: string }[];
}

export const manifestPush: CliCommand = {
  name: "manifest push",
  register(command, io) {
    command
      .description("Upload a manifest (YAML): creates the extension, or a new draft version of it")
      .argument("<file>", "the manifest file")
      .action(async (file: string, _options, cmd) => {
        let yaml: string;
        try {
          yaml = await fs.readFile(file, "utf8");
        } catch (error) {
          throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
        }
        const result = await callApi<PushResult>(io, { url: urlOption(cmd) }, "POST", "/manifests", { yaml });
        for (const w of result.warnings) io.err(`warning: ${w.path} (line ${w.line}:${w.column}): ${w.message}`);
        io.out(
          result.created
            ? `Created ${result.extension.name} (${result.extension.slug}), draft ${result.version.version}.`
            : `Uploaded ${result.extension.name} ${result.version.version} as a draft.`,
        );
      });
  },
};
