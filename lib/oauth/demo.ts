// Demo mode's OAuth provider: a real OpenID Connect provider (scripts/demo-oauth-provider.mjs, node-oidc-
// provider) on loopback, started beside the app unless LATCHKEY_DEMO_OAUTH_ISSUER names one already
// running, with the demo provider extension's partner credentials set to its client and the extension
// published — so Connect, refresh and Disconnect work without registering an app anywhere.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import type { Logger } from "pino";
import { SecretValue } from "@/lib/crypto";
import type { Db } from "@/lib/db/client";
import { extensionVersions, extensions } from "@/lib/db/schema";
import type { Env } from "@/lib/env";
import { oauthCallbackUrl } from "@/lib/extensions/redirect-uris";
import type { Vault } from "@/lib/vault/vault";

export const DEMO_PROVIDER_EXTENSION = "dev.kiket.ext.my-oauth";
const DEMO_PROVIDER_ID = "my-provider";

/** The demo client's secret: from the environment, or generated once and kept in the data dir (0600). */
function clientSecret(config: Env): string {
  if (config.LATCHKEY_DEMO_OAUTH_CLIENT_SECRET) return config.LATCHKEY_DEMO_OAUTH_CLIENT_SECRET;
  const file = config.demoOAuth.secretFile;
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** Starts the provider as a child process and resolves once it listens (or rejects with its output). */
function startProviderProcess(config: Env, secret: string, log: Logger): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(process.cwd(), "scripts", "demo-oauth-provider.mjs")], {
      // The IPC channel is how the provider learns the app is gone, even after a kill -9 (it exits on disconnect).
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: {
        ...process.env,
        DEMO_OAUTH_PORT: String(config.demoOAuth.port),
        DEMO_OAUTH_CLIENT_ID: config.demoOAuth.clientId,
        DEMO_OAUTH_CLIENT_SECRET: secret,
        DEMO_OAUTH_REDIRECT_URIS: oauthCallbackUrl(config.LATCHKEY_URL, DEMO_PROVIDER_ID),
      },
    });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening on")) {
        log.info({ issuer: config.demoOAuth.issuer }, "demo OAuth provider started");
        resolve(child);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`the demo OAuth provider exited (${code}): ${output.trim().slice(0, 500)}`)));
    process.once("exit", () => child.kill());
    // The channel does not keep the app alive.
    child.channel?.unref();
  });
}

/** Returns the provider's child process when it started one (it also stops when this process exits). */
export async function startDemoOAuth(db: Db, vault: Vault, config: Env, log: Logger): Promise<ChildProcess | null> {
  const secret = clientSecret(config);
  let child: ChildProcess | null = null;
  if (!config.demoOAuth.external) {
    // A provider left running by a previous start (same data dir, same client secret) still serves:
    // carry on without a new one rather than without OAuth.
    child = await startProviderProcess(config, secret, log).catch((error: unknown) => {
      log.warn(
        { issuer: config.demoOAuth.issuer, err: error instanceof Error ? error.message : String(error) },
        "demo OAuth provider not started",
      );
      return null;
    });
  }
  const [ext] = await db.select().from(extensions).where(eq(extensions.slug, DEMO_PROVIDER_EXTENSION));
  if (!ext) return child;
  const ctx = { actor: { kind: "system" as const, id: "demo-setup" }, source: { kind: "worker" as const } };
  const set = new Set((await vault.list(ext.id, "ext", ext.id)).filter((s) => s.isSet).map((s) => s.name));
  for (const [name, value] of [
    ["my_client_id", config.demoOAuth.clientId],
    ["my_client_secret", secret],
  ] as const) {
    if (!set.has(name)) await vault.set(ctx, { extensionId: ext.id, scope: "ext", ownerId: ext.id, name }, SecretValue.from(value));
  }
  // Its required partner credentials are set now: publish it, as its publisher would.
  await db.transaction(async (tx) => {
    await tx
      .update(extensions)
      .set({ status: "published" })
      .where(and(eq(extensions.id, ext.id), eq(extensions.status, "draft")));
    await tx
      .update(extensionVersions)
      .set({ publishedAt: new Date() })
      .where(and(eq(extensionVersions.extensionId, ext.id), isNull(extensionVersions.publishedAt)));
  });
  return child;
}
