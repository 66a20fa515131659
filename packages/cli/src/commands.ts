// Every CLI subcommand, one line each. To add one, create cli/<name>.ts exporting a CliCommand and
// list it here.
import type { CliCommand } from "./command";
import { credentialsList } from "./credentials-list";
import { credentialsSet } from "./credentials-set";
import { login } from "./login";
import { manifestPush } from "./manifest-push";
import { publish } from "./publish";
import { scan } from "./scan";
import { tokenMint } from "./token";

export const commands: CliCommand[] = [login, manifestPush, credentialsSet, credentialsList, publish, scan, tokenMint];

/** Descriptions of the words that only group subcommands. */
export const groups: Record<string, string> = {
  manifest: "Upload extension manifests",
  credentials: "Manage an extension's partner credentials (ext.*)",
  token: "Runtime tokens for testing extensions locally",
};
