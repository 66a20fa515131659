// Integration test of the Spotify example against Latchkey's runtime API: the SDK client's requests go
// to the same route handler logic the app serves (lib/runtime's runtimeApi, in process, over a real
// database and vault); only Spotify itself is faked.
import { readFileSync } from "node:fs";
import path from "node:path";
import { createClient, SecretWriteForbiddenError } from "@latchkey/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { SecretValue } from "@/lib/crypto";
import { extensionVersions, extensions, installations, orgMembers, organizations, publishers, users } from "@/lib/db/schema";
import { runtimeApi, type RuntimeApi } from "@/lib/runtime/api";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { mintRuntimeToken, prepareDispatch } from "@/lib/runtime/dispatch";
import { noConnections } from "@/lib/runtime/oauth-broker";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, uiContext } from "@/test/vault";
import { oauthCallback, searchMyLibrary, startSpotifyAuth, type SpotifyContext } from "./handlers.js";

const BASE = "http://latchkey.test";
let database: TestDatabase;
let deps: RuntimeDeps;
let api: RuntimeApi;
let ids: { extensionId: string; installationId: string; userId: string; orgId: string };

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  const built = buildVault(db, await localKeyring());
  deps = {
    db,
    vault: built.vault,
    keys: new SigningKeys({ db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
  };
  api = runtimeApi(deps);
  const manifestYaml = readFileSync(path.join(import.meta.dirname, "manifest.yaml"), "utf8");
  const [publisher] = await db.insert(publishers).values({ slug: "example-pub", name: "Example" }).returning();
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: "dev.example.spotify", name: "Spotify", status: "published" })
    .returning();
  const [version] = await db
    .insert(extensionVersions)
    .values({ extensionId: ext?.id ?? "", version: "1.0.0", manifestYaml, manifest: YAML.parse(manifestYaml), publishedAt: new Date() })
    .returning();
  const [org] = await db.insert(organizations).values({ slug: "example-org", name: "Example Org" }).returning();
  const [user] = await db.insert(users).values({ email: "listener@example.com", name: "Listener" }).returning();
  if (!ext || !version || !org || !user) throw new Error("seed failed");
  await db.insert(orgMembers).values({ orgId: org.id, userId: user.id, role: "owner" });
  const [installation] = await db.insert(installations).values({ extensionId: ext.id, orgId: org.id, versionId: version.id }).returning();
  ids = { extensionId: ext.id, installationId: installation?.id ?? "", userId: user.id, orgId: org.id };
  // The publisher's partner credential, set in the Publisher Dashboard.
  await built.vault.set(
    uiContext(user.id),
    { extensionId: ext.id, scope: "ext", ownerId: ext.id, name: "spotify_client_id" },
    SecretValue.from("cid-live"),
  );
});
afterAll(async () => {
  await database.close();
});

function contextFor(token: string, spotify: (url: string, init?: RequestInit) => Response) {
  const client = createClient({ baseUrl: BASE, token, devMode: false, fetch: (request) => api.handle(request) });
  const ctx: SpotifyContext = {
    secrets: client.secrets,
    webhookUrl: (p) => client.webhookUrl(p),
    fetch: async (url, init) => spotify(url, init),
  };
  return { client, ctx };
}

describe(`Spotify example against the runtime API (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("is not dispatched until the user pastes the key, then searches with it", async () => {
    await expect(prepareDispatch(deps, { installationId: ids.installationId, userId: ids.userId })).rejects.toMatchObject({
      code: "installation_not_ready",
    });
    // The user pastes the key in the panel.
    await deps.vault.set(
      uiContext(ids.userId),
      { extensionId: ids.extensionId, scope: "user", ownerId: ids.userId, name: "spotify_api_key" },
      SecretValue.from("sk-user-live"),
    );
    const { token } = await prepareDispatch(deps, { installationId: ids.installationId, userId: ids.userId });
    let auth: string | null = null;
    const { ctx } = contextFor(token, (_url, init) => {
      auth = new Headers(init?.headers).get("authorization");
      return Response.json({ tracks: { items: [{ id: "t", name: "Track" }] } });
    });
    const result = await searchMyLibrary(ctx, { query: "jazz" });
    expect(result).toMatchObject({ ok: true, data: { tracks: [{ id: "t", name: "Track" }] } });
    expect(auth).toBe("Bearer sk-user-live");
  });

  it("builds the authorize URL with the canonical callback and stores the refresh token it receives", async () => {
    const { token } = await mintRuntimeToken(deps, { installationId: ids.installationId, userId: ids.userId });
    const { ctx, client } = contextFor(token, () => Response.json({ access_token: "at", refresh_token: "rt-from-spotify" }));
    const started = await startSpotifyAuth(ctx);
    if (!started.ok) throw new Error(started.error);
    expect(new URL(started.data.authUrl).searchParams.get("redirect_uri")).toBe(`${BASE}/api/v1/hooks/${ids.installationId}/callback`);
    expect(new URL(started.data.authUrl).searchParams.get("client_id")).toBe("cid-live");
    expect((await oauthCallback(ctx, new URLSearchParams({ code: "abc" }))).status).toBe(200);
    const stored = await deps.vault.read(uiContext(ids.userId), {
      extensionId: ids.extensionId,
      scope: "user",
      ownerId: ids.userId,
      name: "spotify_refresh_token",
    });
    expect(stored?.reveal()).toBe("rt-from-spotify");
    expect(await client.secrets.isSet("spotify_refresh_token")).toBe(true);
    // The extension still cannot overwrite the user's own key.
    await expect(client.secrets.set("spotify_api_key", "hijack")).rejects.toBeInstanceOf(SecretWriteForbiddenError);
  });
});
