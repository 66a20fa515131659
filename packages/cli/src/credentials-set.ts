// `latchkey credentials set EXT KEY`: sets (or with --rotate, rotates) a partner credential. The value
// comes from stdin when piped or from a prompt that does not echo; never from the command line, where
// it would land in shell history and the process list.
import { callApi, CliError } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";

export const credentialsSet: CliCommand = {
  name: "credentials set",
  register(command, io) {
    command
      .description("Set a partner credential (ext.KEY). Pipe the value on stdin, or type it at the prompt.")
      .argument("<extension>", "extension id (e.g. dev.mycompany.zoom-integration)")
      .argument("<key>", "credential key (e.g. zoom_client_secret)")
      .argument("[value]", "refused: values are never read from the command line")
      .option("--rotate", "record the change as a rotation (the old value is replaced at once)")
      .action(async (extension: string, key: string, value: string | undefined, options: { rotate?: boolean }, cmd) => {
        if (value !== undefined) {
          throw new CliError(
            "Values are never read from the command line (they would end up in your shell history). Pipe the value on stdin or type it at the prompt.",
          );
        }
        const piped = await io.readPipedStdin();
        // A piped value usually ends with the newline of `echo` or a file; that newline is not part of it.
        const secret = piped !== null ? piped.replace(/\r?\n$/, "") : await io.promptSecret(`Value for ext.${key}:`);
        if (secret.length === 0) throw new CliError(`No value given for ext.${key}.`);
        const result = await callApi<{ label: string; version: number }>(
          io,
          { url: urlOption(cmd) },
          "PUT",
          `/extensions/${encodeURIComponent(extension)}/credentials/${encodeURIComponent(key)}`,
          { json: { value: secret, rotate: Boolean(options.rotate) } },
        );
        io.out(`${options.rotate ? "Rotated" : "Saved"} ${result.label} (ext.${key}).`);
      });
  },
};
