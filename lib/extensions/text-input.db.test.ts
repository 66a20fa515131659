// Issue 12, item 3, on the publisher dashboard and panel's data layer (what the server actions and the
// publisher API call): a NUL in a manifest, an API token name, an extension reference or a setup setting
// used to reach PostgreSQL ("invalid byte sequence for encoding UTF8: 0x00") and come back as a 500. Each
// is now refused before anything is stored, with an error that says which field and where.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import {
  auditEvents,
  extensions,
  installationSettings,
  installations,
  orgMembers,
  organizations,
  publisherApiTokens,
  publisherMembers,
  publishers,
  users,
} from "@/lib/db/schema";
import { formatManifestError } from "@/lib/manifest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import type { PublisherCall } from "./access";
import { createApiToken } from "./api-tokens";
import { ExtensionError } from "./errors";
import { listPartnerCredentials, setPartnerCredential, type PublisherDeps } from "./partner-credentials";
import { publishExtension } from "./publish";
import { submitStep } from "./setup-wizard";
import { uploadManifest } from "./upload-manifest";

const spotifyYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/spotify-secrets.yaml"), "utf8");

const settingsManifest = `model_version: "1.0"
extension:
  id: dev.test.nul-settings
  name: NUL Settings
  version: 1.0.0
setup:
  - configure:
      title: Preferences
      fields:
        - key: nickname
          label: Nickname
        - key: notes
          label: Notes
`;

let database: TestDatabase;
let deps: PublisherDeps;
let pat: UserActor;
let publisherId: string;
let orgId: string;

const call = (actor: UserActor): PublisherCall => ({ actor, source: { kind: "ui", ip: "127.0.0.1", userAgent: "vitest" } });

async function refusal(promise: Promise<unknown>): Promise<ExtensionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtensionError);
  return error as ExtensionError;
}

const count = async (table: typeof extensions | typeof publisherApiTokens | typeof installationSettings | typeof auditEvents) =>
  (await database.db.select().from(table)).length;

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  deps = { db, vault: buildVault(db, await localKeyring()).vault };
  const [publisher] = await db.insert(publishers).values({ slug: "acme-nul", name: "Acme" }).returning();
  const [org] = await db.insert(organizations).values({ slug: "globex-nul", name: "Globex" }).returning();
  const [user] = await db.insert(users).values({ email: "pat@nul.example", name: "Pat" }).returning();
  if (!publisher || !org || !user) throw new Error("seed failed");
  publisherId = publisher.id;
  orgId = org.id;
  await db.insert(publisherMembers).values({ publisherId, userId: user.id, role: "owner" });
  await db.insert(orgMembers).values({ orgId, userId: user.id, role: "owner" });
  const actor = await loadUserActor(db, user.id);
  if (!actor) throw new Error("actor missing");
  pat = actor;
});

afterAll(async () => {
  await database?.close();
});

describe("a NUL in a manifest", () => {
  it("is refused by the upload the dashboard and the API share, at its path and line:column, storing nothing", async () => {
    const yaml = spotifyYaml.replace("description: Spotify integration — search, queue, manage your library.", 'description: "a\\u0000b"');
    const [extensionsBefore, eventsBefore] = [await count(extensions), await count(auditEvents)];
    const error = await refusal(uploadManifest(database.db, call(pat), { yaml }));
    expect(error.code).toBe("invalid_manifest");
    expect(error.status).toBe(422);
    expect(error.details.manifestErrors?.map(formatManifestError)).toEqual([
      "extension.description (line 8:16): contains a NUL character (U+0000), which cannot be stored",
    ]);
    expect(await count(extensions)).toBe(extensionsBefore);
    expect(await count(auditEvents)).toBe(eventsBefore);
  });

  it("is refused in a mapping key too, which the manifest's jsonb column could not hold", async () => {
    const yaml = spotifyYaml.replace("  name: Spotify\n", '  name: Spotify\n  "x\\0": 1\n');
    const error = await refusal(uploadManifest(database.db, call(pat), { yaml }));
    expect(error.details.manifestErrors?.map(formatManifestError)).toEqual([
      "extension.x\\u0000 (line 7:3): the key contains a NUL character (U+0000), which cannot be stored",
    ]);
  });
});

describe("a NUL in an API token's name", () => {
  it("is a field error on name, and no token or audit event is stored", async () => {
    const [tokensBefore, eventsBefore] = [await count(publisherApiTokens), await count(auditEvents)];
    const error = await refusal(createApiToken(database.db, call(pat), { publisherId, name: "laptop\u0000" }));
    expect(error.code).toBe("credential_value_invalid");
    expect(error.status).toBe(400);
    expect(error.details.field).toBe("name");
    expect(error.message).toBe("Token name contains a NUL character (U+0000), which cannot be stored.");
    expect(await count(publisherApiTokens)).toBe(tokensBefore);
    expect(await count(auditEvents)).toBe(eventsBefore);
  });

  it("still creates a token with an ordinary name, trimmed", async () => {
    const created = await createApiToken(database.db, call(pat), { publisherId, name: "  CI deploys 🚀 " });
    expect(created.name).toBe("CI deploys 🚀");
  });
});

describe("a NUL in an extension reference (the publisher API's :ext, a dashboard URL)", () => {
  it("is not found, without a query PostgreSQL would refuse", async () => {
    const uploaded = await uploadManifest(database.db, call(pat), { yaml: spotifyYaml });
    const slug = uploaded.extension.slug;
    for (const attempt of [
      listPartnerCredentials(deps, call(pat), `${slug}\u0000`),
      setPartnerCredential(deps, call(pat), "\u0000", "client_id", "x"),
      publishExtension(deps, call(pat), `\u0000${slug}`),
    ]) {
      const error = await refusal(attempt);
      expect(error.code).toBe("not_found");
      expect(error.message).not.toContain("\u0000");
    }
    expect((await listPartnerCredentials(deps, call(pat), slug)).extension.id).toBe(uploaded.extension.id);
  });
});

describe("a NUL in a setup wizard setting", () => {
  it("is an error beside the field, and no setting is stored", async () => {
    const uploaded = await uploadManifest(database.db, call(pat), { yaml: settingsManifest });
    const [installation] = await database.db
      .insert(installations)
      .values({ extensionId: uploaded.extension.id, orgId, versionId: uploaded.version.id })
      .returning();
    if (!installation) throw new Error("installation missing");
    const panel = { db: database.db, vault: deps.vault, baseUrl: "http://latchkey.test" };

    const result = await submitStep(panel, call(pat), installation.id, {
      stepIndex: 0,
      move: "next",
      values: { nickname: "Pat\u0000", notes: "line one\r\nline two" },
    });
    expect(result).toEqual({ ok: false, errors: { nickname: "Nickname contains a NUL character (U+0000), which cannot be stored." } });
    expect(await database.db.select().from(installationSettings).where(eq(installationSettings.installationId, installation.id))).toEqual(
      [],
    );

    // Multi-line text (a textarea's CRLF) is kept as it was typed.
    const saved = await submitStep(panel, call(pat), installation.id, {
      stepIndex: 0,
      move: "next",
      values: { nickname: "Pat", notes: "line one\r\nline two" },
    });
    expect(saved.ok).toBe(true);
    const rows = await database.db.select().from(installationSettings).where(eq(installationSettings.installationId, installation.id));
    expect(Object.fromEntries(rows.map((r) => [r.key, r.value]))).toEqual({ nickname: "Pat", notes: "line one\r\nline two" });
  });
});
