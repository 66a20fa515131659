import fs from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import {
  auditEvents,
  extensionVersions,
  extensions,
  orgMembers,
  organizations,
  publisherMembers,
  publishers,
  users,
} from "@/lib/db/schema";
import { buildVault, localKeyring } from "@/test/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import type { PublisherCall } from "./access";
import { authenticateApiToken, createApiToken, listApiTokens, revokeApiToken } from "./api-tokens";
import { ExtensionError } from "./errors";
import {
  deletePartnerCredential,
  listPartnerCredentials,
  revealPartnerCredential,
  rotatePartnerCredential,
  setPartnerCredential,
  type PublisherDeps,
} from "./partner-credentials";
import { publishExtension } from "./publish";
import { uploadManifest } from "./upload-manifest";

const zoomYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/zoom-partner-credentials.yaml"), "utf8");
const CLIENT_ID = "zoom-client-id-4711";
const CLIENT_SECRET = "zoom-secret-Vx9qLr2TmW8s";

let database: TestDatabase;
let deps: PublisherDeps;
let pat: UserActor;
let mallory: UserActor; // a member of another publisher
let eve: UserActor; // an end user (organization member only)
let acmeId: string;

const call = (actor: UserActor, kind: "ui" | "api" | "cli" = "ui"): PublisherCall => ({
  actor,
  source: { kind, ip: "127.0.0.1", userAgent: "vitest" },
});

async function person(email: string, name: string) {
  const [row] = await database.db.insert(users).values({ email, name }).returning();
  if (!row) throw new Error("user insert failed");
  return row.id;
}

async function actorOf(userId: string) {
  const actor = await loadUserActor(database.db, userId);
  if (!actor) throw new Error("actor missing");
  return actor;
}

async function rejects(promise: Promise<unknown>, code: string, message?: string | RegExp) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(ExtensionError);
  expect((error as ExtensionError).code).toBe(code);
  if (typeof message === "string") expect((error as ExtensionError).message).toBe(message);
  else if (message) expect((error as ExtensionError).message).toMatch(message);
  return error as ExtensionError;
}

beforeAll(async () => {
  database = await openTestDatabase();
  const { vault } = buildVault(database.db, await localKeyring());
  deps = { db: database.db, vault };
  const db = database.db;
  const [acme] = await db.insert(publishers).values({ slug: "acme", name: "Acme Extensions" }).returning();
  const [rival] = await db.insert(publishers).values({ slug: "rival", name: "Rival Apps" }).returning();
  const [globex] = await db.insert(organizations).values({ slug: "globex", name: "Globex" }).returning();
  if (!acme || !rival || !globex) throw new Error("seed failed");
  acmeId = acme.id;
  const patId = await person("pat@acme.example", "Pat Publisher");
  const malloryId = await person("mallory@rival.example", "Mallory Rival");
  const eveId = await person("eve@globex.example", "Eve Enduser");
  await db.insert(publisherMembers).values([
    { publisherId: acme.id, userId: patId, role: "owner" },
    { publisherId: rival.id, userId: malloryId, role: "owner" },
  ]);
  await db.insert(orgMembers).values({ orgId: globex.id, userId: eveId, role: "owner" });
  [pat, mallory, eve] = await Promise.all([actorOf(patId), actorOf(malloryId), actorOf(eveId)]);
});

afterAll(async () => {
  await database?.close();
});

describe("the Zoom journey", () => {
  let extensionId: string;

  it("creates a draft extension from the spec's manifest", async () => {
    const result = await uploadManifest(database.db, call(pat), { yaml: zoomYaml });
    expect(result.created).toBe(true);
    expect(result.extension).toMatchObject({
      slug: "dev.mycompany.zoom-integration",
      name: "Zoom Integration",
      status: "draft",
      publisherId: acmeId,
    });
    expect(result.version.publishedAt).toBeNull();
    extensionId = result.extension.id;
  });

  it("lists both credentials as missing, in manifest order", async () => {
    const { credentials } = await listPartnerCredentials(deps, call(pat), extensionId);
    expect(credentials.map((c) => [c.key, c.label, c.required, c.secret, c.isSet])).toEqual([
      ["zoom_client_id", "Zoom OAuth Client ID", true, true, false],
      ["zoom_client_secret", "Zoom OAuth Client Secret", true, true, false],
    ]);
    expect(credentials[0]?.helpUrl).toBe("https://marketplace.zoom.us/docs/guides/build/oauth-app");
  });

  it("refuses to publish with the guide's exact message", async () => {
    await rejects(
      publishExtension(deps, call(pat), extensionId),
      "publish_blocked",
      "Missing required partner credentials: Zoom OAuth Client ID, Zoom OAuth Client Secret.\nConfigure them in the Publisher Dashboard.",
    );
    await setPartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", CLIENT_SECRET);
    await rejects(
      publishExtension(deps, call(pat), extensionId),
      "publish_blocked",
      "Missing required partner credentials: Zoom OAuth Client ID.\nConfigure them in the Publisher Dashboard.",
    );
    const [ext] = await database.db.select().from(extensions).where(eq(extensions.id, extensionId));
    expect(ext?.status).toBe("draft");
  });

  it("publishes once both are set, and shows who set them", async () => {
    await setPartnerCredential(deps, call(pat), "dev.mycompany.zoom-integration", "zoom_client_id", CLIENT_ID);
    const { credentials } = await listPartnerCredentials(deps, call(pat), extensionId);
    expect(credentials.every((c) => c.isSet)).toBe(true);
    expect(credentials[0]?.lastSetBy).toEqual({ name: "Pat Publisher", email: "pat@acme.example" });
    expect(credentials[0]?.lastSetAt).toBeInstanceOf(Date);
    expect(JSON.stringify(credentials)).not.toContain(CLIENT_SECRET);

    const { version } = await publishExtension(deps, call(pat), extensionId);
    expect(version.publishedAt).toBeInstanceOf(Date);
    const [ext] = await database.db.select().from(extensions).where(eq(extensions.id, extensionId));
    expect(ext?.status).toBe("published");
    await rejects(publishExtension(deps, call(pat), extensionId), "nothing_to_publish");
  });

  it("leaves exactly four audit events for the extension, none holding a value", async () => {
    const events = await database.db
      .select()
      .from(auditEvents)
      // The refused publishes are audited too, as failures (issue 12 item 10); these are the changes.
      .where(and(eq(auditEvents.extensionId, extensionId), eq(auditEvents.outcome, "success")))
      .orderBy(asc(auditEvents.id));
    expect(events.map((e) => [e.action, e.target, e.sourceKind])).toEqual([
      ["manifest.upload", "dev.mycompany.zoom-integration@1.0.0", "ui"],
      ["secret.set", "ext.zoom_client_secret", "ui"],
      ["secret.set", "ext.zoom_client_id", "ui"],
      ["extension.publish", "dev.mycompany.zoom-integration@1.0.0", "ui"],
    ]);
    expect(events.every((e) => e.actorId === pat.userId)).toBe(true);
    const all = JSON.stringify(await database.db.select().from(auditEvents));
    expect(all).not.toContain(CLIENT_SECRET);
    expect(all).not.toContain(CLIENT_ID);
  });

  it("refuses re-uploading a published version, and accepts the next version as a draft", async () => {
    await rejects(uploadManifest(database.db, call(pat), { yaml: zoomYaml }), "version_published", /raise extension.version/);
    const next = await uploadManifest(database.db, call(pat), {
      yaml: zoomYaml.replace("version: 1.0.0", "version: 1.1.0"),
      extensionRef: extensionId,
    });
    expect(next.created).toBe(false);
    expect(next.version).toMatchObject({ version: "1.1.0", publishedAt: null });
    expect(next.extension.status).toBe("published");
    await rejects(
      uploadManifest(database.db, call(pat), {
        yaml: fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/oauth-consumer.yaml"), "utf8"),
        extensionRef: extensionId,
      }),
      "wrong_extension",
    );
  });

  it("rotates (the new value replaces the old at once) and deletes", async () => {
    const address = { extensionId, scope: "ext" as const, ownerId: extensionId, name: "zoom_client_secret" };
    await rotatePartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", "rotated-secret-value");
    const ctx = { actor: { kind: "system" as const, id: "test" }, source: { kind: "worker" as const } };
    expect((await deps.vault.read(ctx, address))?.reveal()).toBe("rotated-secret-value");
    await deletePartnerCredential(deps, call(pat), extensionId, "zoom_client_secret");
    const { credentials } = await listPartnerCredentials(deps, call(pat), extensionId);
    expect(credentials.find((c) => c.key === "zoom_client_secret")).toMatchObject({ isSet: false, lastSetBy: null });
    await rejects(rotatePartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", "x"), "credential_not_set");
    // The 1.1.0 draft cannot go live without it.
    await rejects(
      publishExtension(deps, call(pat), extensionId),
      "publish_blocked",
      /^Missing required partner credentials: Zoom OAuth Client Secret\.\n/,
    );
  });

  it("validates keys and values", async () => {
    await rejects(setPartnerCredential(deps, call(pat), extensionId, "zoom_client_idd", "x"), "credential_not_declared");
    await rejects(setPartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", "   "), "credential_value_invalid");
    await rejects(
      setPartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", "x".repeat(5000)),
      "credential_value_invalid",
      /4096 bytes/,
    );
  });

  it("reveals a secret: false value on request only, and never a secret one", async () => {
    const yaml = zoomYaml
      .replace("version: 1.0.0", "version: 1.2.0")
      .replace("      type: oauth_client_id\n", "      type: oauth_client_id\n      secret: false\n");
    await uploadManifest(database.db, call(pat), { yaml });
    expect(await revealPartnerCredential(deps, call(pat), extensionId, "zoom_client_id")).toBe(CLIENT_ID);
    await setPartnerCredential(deps, call(pat), extensionId, "zoom_client_secret", CLIENT_SECRET);
    await rejects(revealPartnerCredential(deps, call(pat), extensionId, "zoom_client_secret"), "credential_is_secret");
    const { credentials } = await listPartnerCredentials(deps, call(pat), extensionId);
    expect(credentials.map((c) => c.secret)).toEqual([false, true]);
  });
});

describe("only members of the extension's publisher", () => {
  let extensionId: string;
  beforeAll(async () => {
    const [ext] = await database.db.select().from(extensions).where(eq(extensions.slug, "dev.mycompany.zoom-integration"));
    if (!ext) throw new Error("journey did not run");
    extensionId = ext.id;
  });

  for (const [who, get] of [
    ["another publisher's member", () => mallory],
    ["an end user", () => eve],
  ] as const) {
    it(`${who} can neither see nor change anything`, async () => {
      const actor = get();
      for (const ref of [extensionId, "dev.mycompany.zoom-integration"]) {
        await rejects(listPartnerCredentials(deps, call(actor), ref), "not_found");
        await rejects(setPartnerCredential(deps, call(actor), ref, "zoom_client_id", "stolen"), "not_found");
        await rejects(rotatePartnerCredential(deps, call(actor), ref, "zoom_client_id", "stolen"), "not_found");
        await rejects(deletePartnerCredential(deps, call(actor), ref, "zoom_client_id"), "not_found");
        await rejects(revealPartnerCredential(deps, call(actor), ref, "zoom_client_id"), "not_found");
        await rejects(publishExtension(deps, call(actor), ref), "not_found");
      }
      await rejects(createApiToken(database.db, call(actor), { publisherId: acmeId, name: "x" }), "forbidden");
      await rejects(listApiTokens(database.db, actor, acmeId), "forbidden");
      const ctx = { actor: { kind: "system" as const, id: "test" }, source: { kind: "worker" as const } };
      expect((await deps.vault.read(ctx, { extensionId, scope: "ext", ownerId: extensionId, name: "zoom_client_id" }))?.reveal()).toBe(
        CLIENT_ID,
      );
    });
  }

  it("another publisher cannot take over the extension id with its own manifest", async () => {
    await rejects(
      uploadManifest(database.db, call(mallory), { yaml: zoomYaml.replace("version: 1.0.0", "version: 9.0.0") }),
      "extension_taken",
      "The extension id dev.mycompany.zoom-integration is registered by another publisher.",
    );
    const versions = await database.db
      .select()
      .from(extensionVersions)
      .where(and(eq(extensionVersions.extensionId, extensionId), eq(extensionVersions.version, "9.0.0")));
    expect(versions).toEqual([]);
  });

  it("another publisher cannot upload a version onto the extension's page", async () => {
    const mine = zoomYaml.replace("zoom-integration", "rival-zoom");
    await rejects(uploadManifest(database.db, call(mallory), { yaml: mine, extensionRef: extensionId }), "not_found");
  });

  it("an end user cannot create an extension", async () => {
    await rejects(uploadManifest(database.db, call(eve), { yaml: zoomYaml.replace("zoom-integration", "zoom-copy") }), "forbidden");
  });

  it("an invalid manifest is refused with every error and its line", async () => {
    const error = await rejects(
      uploadManifest(database.db, call(pat), { yaml: zoomYaml.replace("client_id: ext.zoom_client_id", "client_id: ext.zoom_client_idd") }),
      "invalid_manifest",
      "The manifest has 1 error.",
    );
    expect(error.details.manifestErrors?.[0]).toMatchObject({ path: "setup[0].secrets.fields[0].obtain.client_id", line: 30 });
  });
});

describe("publisher API tokens", () => {
  it("are shown once, stored hashed, act only within their publisher, and stop working when revoked", async () => {
    const created = await createApiToken(database.db, call(pat), { publisherId: acmeId, name: "CI" });
    expect(created.token).toMatch(/^lk_pub_[A-Za-z0-9_-]{43}$/);
    const rows = await listApiTokens(database.db, pat, acmeId);
    expect(rows.map((r) => r.name)).toContain("CI");
    expect(JSON.stringify(rows)).not.toContain(created.token);
    const dump = JSON.stringify(await database.db.execute("select * from publisher_api_tokens"));
    expect(dump).not.toContain(created.token.slice(11));

    const actor = await authenticateApiToken(database.db, created.token);
    expect(actor?.userId).toBe(pat.userId);
    expect(actor?.publishers.map((p) => p.id)).toEqual([acmeId]);
    expect(await authenticateApiToken(database.db, `${created.token.slice(0, -1)}x`)).toBeNull();
    expect(await authenticateApiToken(database.db, "Bearer nonsense")).toBeNull();

    await rejects(revokeApiToken(database.db, call(mallory), { publisherId: acmeId, tokenId: created.id }), "forbidden");
    const rivalId = mallory.publishers[0]?.id ?? "";
    await rejects(revokeApiToken(database.db, call(mallory), { publisherId: rivalId, tokenId: created.id }), "token_not_found");
    expect(await authenticateApiToken(database.db, created.token)).not.toBeNull();

    await revokeApiToken(database.db, call(pat), { publisherId: acmeId, tokenId: created.id });
    expect(await authenticateApiToken(database.db, created.token)).toBeNull();
  });

  it("stop working when their creator leaves the publisher", async () => {
    const patId = await person("pat2@acme.example", "Pat Two");
    await database.db.insert(publisherMembers).values({ publisherId: acmeId, userId: patId });
    const created = await createApiToken(database.db, call(await actorOf(patId)), { publisherId: acmeId, name: "laptop" });
    expect(await authenticateApiToken(database.db, created.token)).not.toBeNull();
    await database.db.delete(publisherMembers).where(and(eq(publisherMembers.publisherId, acmeId), eq(publisherMembers.userId, patId)));
    expect(await authenticateApiToken(database.db, created.token)).toBeNull();
  });
});
