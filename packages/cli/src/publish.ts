// `latchkey publish EXT`: publishes the newest version, or prints why it cannot be published.
import { callApi } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";

export const publish: CliCommand = {
  name: "publish",
  register(command, io) {
    command
      .description("Publish the extension's newest version (all required partner credentials must be configured)")
      .argument("<extension>", "extension id")
      .action(async (extension: string, _options, cmd) => {
        const result = await callApi<{ extension: { name: string }; version: { version: string } }>(
          io,
          { url: urlOption(cmd) },
          "POST",
          `/extensions/${encodeURIComponent(extension)}/publish`,
        );
        io.out(`Published ${result.extension.name} ${result.version.version}.`);
      });
  },
};
