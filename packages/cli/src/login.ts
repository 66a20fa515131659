// `latchkey login`: checks a publisher API token against the server and stores it (0600).
import { callApi } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";
import { DEFAULT_URL, writeLogin } from "./config";

export const login: CliCommand = {
  name: "login",
  register(command, io) {
    command
      .description(
        "Store a publisher API token (created in the Publisher Dashboard under API tokens). Reads it from stdin when piped, else prompts.",
      )
      .action(async (_options, cmd) => {
        const url = (urlOption(cmd) || io.env.LATCHKEY_URL || DEFAULT_URL).replace(/\/+$/, "");
        const piped = await io.readPipedStdin();
        const token = (piped ?? (await io.promptSecret("Publisher API token:"))).trim();
        const me = await callApi<{ user: { name: string; email: string }; publisher: { name: string } | null }>(
          io,
          { url, token },
          "GET",
          "/me",
        );
        const file = await writeLogin(io, { url, token });
        io.out(`Logged in to ${url} as ${me.user.name} <${me.user.email}>${me.publisher ? ` for ${me.publisher.name}` : ""}.`);
        io.out(`Token stored in ${file}.`);
      });
  },
};
