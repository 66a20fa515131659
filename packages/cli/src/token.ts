// `latchkey token mint --installation ID`: a short-lived runtime token for running an extension locally
// against real secrets. The Latchkey the CLI is logged in to mints it (the stored URL unless --url or
// LATCHKEY_URL says otherwise), so the token is signed for exactly the server the SDK will call. It acts
// as the logged-in member, under the panel's Test token rule: a member of the extension's publisher who
// administers the installation's organization. The token goes to stdout and the details to stderr, so
// `TOKEN=$(npx latchkey token mint --installation …)` works.
import { callApi, CliError } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";

/** The answer of POST /api/v1/publisher/installations/{id}/runtime-token. */
interface MintResult {
  token: string;
  expires_at: string;
  installation_id: string;
  extension_id: string;
  org_id: string;
  user_id: string | null;
}

export const tokenMint: CliCommand = {
  name: "token mint",
  register(command, io) {
    command
      .description("Mint a short-lived runtime token for an installation (for local testing); prints the token on stdout")
      .requiredOption("--installation <id>", "installation id (the UUID in the panel's /panel/extensions/<id>/… URLs)")
      .option("--user <id>", "refused: tokens minted through the API act as you")
      .action(async (options: { installation: string; user?: string }, cmd) => {
        if (options.user !== undefined) {
          throw new CliError(
            "Tokens minted through the API carry your own user (like the panel's Test token button). " +
              "For another user, an operator runs `npm run token:mint -- --installation ID --user ID` on the Latchkey server.",
          );
        }
        const minted = await callApi<MintResult>(
          io,
          { url: urlOption(cmd) },
          "POST",
          `/installations/${encodeURIComponent(options.installation)}/runtime-token`,
        );
        io.err(
          `Runtime token for installation ${minted.installation_id} (extension ${minted.extension_id}, org ${minted.org_id}` +
            `${minted.user_id ? `, user ${minted.user_id}` : ", no user"}), expires ${minted.expires_at}:`,
        );
        io.out(minted.token);
      });
  },
};
