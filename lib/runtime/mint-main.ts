// The process behind `npx latchkey token mint`: opens the configured database and keyring the way the
// operator scripts do, mints a runtime token for an installation (and user) and prints it on stdout
// (details on stderr), so `TOKEN=$(npx latchkey token mint --installation …)` works. The mint is audited.
// Run with `tsx --conditions=react-server` (cli/token.ts does this). With the embedded database, stop
// the app first: PGlite allows one process at a time.
import { parseArgs } from "node:util";
import { env } from "@/lib/env";
import { fail, openCli } from "@/scripts/cli";
import { mintRuntimeToken } from "./dispatch";
import { noConnections } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";
import { runtimeScopes, type RuntimeScope } from "./tokens";

async function main() {
  const { values } = parseArgs({
    options: { installation: { type: "string" }, user: { type: "string" }, ttl: { type: "string" }, scopes: { type: "string" } },
  });
  if (!values.installation) fail("--installation <id> is required");
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

void main();
