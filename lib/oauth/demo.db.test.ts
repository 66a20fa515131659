// Demo mode's OAuth provider: started beside the app as a child process, with the demo provider
// extension's partner credentials set to its client (sealed in the vault, the secret kept 0600 in the
// data dir) and the extension published, so Connect works with no setup.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensions } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { parseEnv } from "@/lib/env";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { DEMO_PROVIDER_EXTENSION, startDemoOAuth } from "./demo";

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

let database: TestDatabase;
let vault: Vault;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ vault } = buildVault(database.db, await localKeyring(), { logger: pino({ level: "silent" }) }));
});
afterAll(async () => {
  await database.close();
});

describe("demo mode's OAuth provider", () => {
  it("starts, configures the demo provider extension's client and publishes it", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-demo-oauth-"));
    const config = parseEnv({ LATCHKEY_DATA_DIR: dataDir, LATCHKEY_DEMO_OAUTH_PORT: String(await freePort()) });
    await seedDemo(database.db, { oauthIssuer: config.demoOAuth.issuer });
    const child = await startDemoOAuth(database.db, vault, config, pino({ level: "silent" }));
    try {
      expect(child).not.toBeNull();
      const discovery = (await (await fetch(`${config.demoOAuth.issuer}/.well-known/openid-configuration`)).json()) as Record<
        string,
        unknown
      >;
      expect(discovery.issuer).toBe(config.demoOAuth.issuer);
      expect(discovery.code_challenge_methods_supported).toEqual(["S256"]);

      const [ext] = await database.db.select().from(extensions).where(eq(extensions.slug, DEMO_PROVIDER_EXTENSION));
      expect(ext?.status).toBe("published");
      const ctx = { actor: { kind: "system" as const, id: "test" }, source: { kind: "cli" as const } };
      const read = async (name: string) =>
        (await vault.read(ctx, { extensionId: ext?.id ?? "", scope: "ext", ownerId: ext?.id ?? "", name }))?.reveal();
      expect(await read("my_client_id")).toBe("latchkey-demo");
      const secretFile = config.demoOAuth.secretFile;
      expect(await read("my_client_secret")).toBe(fs.readFileSync(secretFile, "utf8"));
      expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
      // The client really is registered at the provider with that secret (client credentials are checked
      // before the grant itself, so a bogus refresh token gets invalid_grant, not invalid_client).
      const token = await fetch(`${config.demoOAuth.issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`latchkey-demo:${fs.readFileSync(secretFile, "utf8")}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=refresh_token&refresh_token=bogus",
      });
      expect(((await token.json()) as { error: string }).error).toBe("invalid_grant");
    } finally {
      child?.kill();
    }
  });
});
