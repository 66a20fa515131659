// POST /api/v1/publisher/installations/{id}/runtime-token (what `latchkey token mint` calls), through its
// route handler over a test database: a publisher API token acts within its publisher and no
// organization, so the route must load the member's organization roles for the Test token rule, and the
// token it returns must be accepted by the runtime API of the same server.
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import type { Database } from "@/lib/db/client";
import { extensions, publisherMembers, publishers } from "@/lib/db/schema";
import { createApiToken } from "@/lib/extensions/api-tokens";
import { parseEnv } from "@/lib/env";
import { buildRequestGuards, type RequestGuards } from "@/lib/http/rate-limit";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, uiContext } from "@/test/vault";
import { eq } from "drizzle-orm";
import { runtimeApi, type RuntimeApi } from "./api";
import type { RuntimeDeps } from "./deps";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { noConnections } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";

const BASE = "http://localhost:4000";
type Route = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;

let database: TestDatabase;
let fx: RuntimeFixture;
let api: RuntimeApi;
let route: Route;
const tokens: Record<"owner" | "plainMember" | "otherPublisher", string> = { owner: "", plainMember: "", otherPublisher: "" };

const mint = (installationId: string, token: string | null) =>
  route(
    new Request(`${BASE}/api/v1/publisher/installations/${installationId}/runtime-token`, {
      method: "POST",
      headers: { "x-latchkey-client": "cli", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    }),
    { params: Promise.resolve({ id: installationId }) },
  );

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  const built = buildVault(db, await localKeyring());
  const deps: RuntimeDeps = {
    db,
    vault: built.vault,
    keys: new SigningKeys({ db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
  };
  api = runtimeApi(deps);
  // The handlers reach the database, vault and runtime through process-wide slots; hand them this test's.
  const slots = globalThis as unknown as {
    latchkeyDb?: Promise<Database>;
    latchkeyVault?: Promise<Vault>;
    latchkeyRuntime?: Promise<{ deps: RuntimeDeps; api: RuntimeApi }>;
    latchkeyRequestGuards?: Promise<RequestGuards>;
  };
  slots.latchkeyDb = Promise.resolve(database);
  slots.latchkeyVault = Promise.resolve(built.vault);
  slots.latchkeyRuntime = Promise.resolve({ deps, api });
  slots.latchkeyRequestGuards = Promise.resolve(buildRequestGuards(parseEnv({})));
  route = ((await import("@/app/api/v1/publisher/installations/[id]/runtime-token/route")) as unknown as { POST: Route }).POST;

  fx = await seedRuntimeFixture(db);
  const [alpha] = await db.select().from(extensions).where(eq(extensions.id, fx.alphaId));
  const [rival] = await db.insert(publishers).values({ slug: "rival-pub", name: "Rival" }).returning();
  if (!alpha || !rival) throw new Error("seed failed");
  // u1 owns Org One and u2 is a plain member there; both are in Alpha's publisher. u3 (owner of Org Two)
  // is in another publisher only.
  await db.insert(publisherMembers).values([
    { publisherId: alpha.publisherId, userId: fx.u1 },
    { publisherId: alpha.publisherId, userId: fx.u2 },
    { publisherId: rival.id, userId: fx.u3 },
  ]);
  const tokenFor = async (userId: string, publisherId: string) => {
    const actor = await loadUserActor(db, userId);
    if (!actor) throw new Error("actor missing");
    return (await createApiToken(db, { actor, source: { kind: "ui" } }, { publisherId, name: "cli" })).token;
  };
  tokens.owner = await tokenFor(fx.u1, alpha.publisherId);
  tokens.plainMember = await tokenFor(fx.u2, alpha.publisherId);
  tokens.otherPublisher = await tokenFor(fx.u3, rival.id);
  await built.vault.set(
    uiContext(fx.u1),
    { extensionId: fx.alphaId, scope: "user", ownerId: fx.u1, name: "api_key" },
    SecretValue.from("sk-owner-key"),
  );
});

afterAll(async () => {
  await database?.close();
});

describe("POST /api/v1/publisher/installations/{id}/runtime-token", () => {
  it("mints for a publisher member who owns the organization, as them, valid on this server's runtime API", async () => {
    const response = await mint(fx.alphaOrg1, tokens.owner);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; installation_id: string; user_id: string; expires_at: string };
    expect(body).toMatchObject({ installation_id: fx.alphaOrg1, user_id: fx.u1, org_id: fx.org1, extension_id: fx.alphaId });
    expect(decodeJwt(body.token)).toMatchObject({ iss: BASE, installation: fx.alphaOrg1, user: fx.u1 });
    const read = await api.handle(
      new Request(`${BASE}/api/v1/secrets/user.api_key`, { headers: { authorization: `Bearer ${body.token}` } }),
    );
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ value: "sk-owner-key" });
  });

  it("refuses a plain member of the organization and a member of another publisher", async () => {
    for (const token of [tokens.plainMember, tokens.otherPublisher]) {
      const response = await mint(fx.alphaOrg1, token);
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({
        error: {
          code: "installation_access_denied",
          message: "Test tokens are for the extension's publisher, in an organization they administer.",
        },
      });
    }
  });

  it("answers 400 naming an id that is not one, and 401 without a token", async () => {
    const bad = await mint("inst-1", tokens.owner);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: "invalid_request", message: expect.stringContaining('"inst-1" is not an installation id') },
    });
    const anonymous = await mint(fx.alphaOrg1, null);
    expect(anonymous.status).toBe(401);
  });
});
