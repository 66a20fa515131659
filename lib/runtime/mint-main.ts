// `npm run token:mint -- --installation ID [--user ID]`, the operator's command on the Latchkey server
// (compiled to dist-scripts/token-mint.mjs by `npm run build`): opens the configured database and keyring
// the way the other operator commands do, mints a runtime token for an installation and any member of
// its organization, and prints it on stdout (details on stderr), so `TOKEN=$(npm run -s token:mint …)`
// works. The mint is audited. Extension developers use `npx latchkey token mint`, which asks the server
// over HTTP instead. With the embedded database it runs beside the app, through the app's socket
// (lib/db/pglite-bridge.ts).
import { parseArgs } from "node:util";
import { env } from "@/lib/env";
import { fail, openCli } from "@/scripts/cli";
import { mintRuntimeToken } from "./dispatch";
import { noConnections } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";
import { runtimeScopes, type RuntimeScope } from "./tokens";

const USAGE = `Usage: npm run token:mint -- --installation ID [--user ID] [--ttl SECONDS] [--scopes a,b]
  --installation  the installation the token is bound to (required)
  --user          a member of the installation's organization, for user.* secrets
  --ttl           1..900 seconds (default LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS)
  --scopes        comma-separated, from ${runtimeScopes.join(", ")} (default all)`;

function options() {
  try {
    return parseArgs({
      options: {
        installation: { type: "string" },
        user: { type: "string" },
        ttl: { type: "string" },
        scopes: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    // parseArgs names the option it refused ("Unknown option '--x'"); the usage says what there is.
    return fail(`${(error as Error).message}\n\n${USAGE}`);
  }
}

async function main() {
  const values = options();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.installation) fail(`--installation <id> is required\n\n${USAGE}`);
  const scopes = values.scopes?.split(",").map((s) => s.trim());
  const unknown = scopes?.filter((s) => !(runtimeScopes as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0) fail(`Unknown scope(s) ${unknown.join(", ")}; choose from ${runtimeScopes.join(", ")}`);
  const config = env();
  const ttlSeconds = values.ttl ? Number(values.ttl) : config.LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 900) fail("--ttl must be 1..900 seconds");
  const { database, vault } = await openCli();
  try {
    const keys = new SigningKeys({
      db: database.db,
      dataKeys: vault.dataKeys,
      maxTokenTtlSeconds: config.LATCHKEY_RUNTIME_TOKEN_TTL_SECONDS,
    });
    const minted = await mintRuntimeToken(
      { db: database.db, vault, keys, baseUrl: config.LATCHKEY_URL, tokenTtlSeconds: ttlSeconds, oauth: noConnections },
      {
        installationId: values.installation,
        userId: values.user ?? null,
        scopes: scopes as RuntimeScope[] | undefined,
        ttlSeconds,
        audit: { actor: { kind: "system", id: "cli:token-mint" }, source: { kind: "cli", userAgent: "latchkey token mint" } },
      },
    );
    process.stderr.write(
      `Runtime token for installation ${minted.installationId} (extension ${minted.extensionId}, org ${minted.orgId}` +
        `${minted.userId ? `, user ${minted.userId}` : ", no user"}), expires ${minted.expiresAt.toISOString()}:\n`,
    );
    process.stdout.write(`${minted.token}\n`);
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

// A configuration the command cannot run with (EnvError) or anything else unexpected: its message, no stack.
main().catch(fail);
