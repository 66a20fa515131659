// Provider ids that collide (issue 13, kind 8): a provider extension may not answer to a built-in catalogue
// id or to a name another extension's published provider answers to; refused at upload (and again at
// publish) with a manifest error naming the field and its line. A publisher's new version of its own
// provider keeps its id.
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { extensions, publisherMembers, publishers, users } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import type { PublisherCall } from "./access";
import { ExtensionError } from "./errors";
import type { PublisherDeps } from "./partner-credentials";
import { publishExtension } from "./publish";
import { uploadManifest } from "./upload-manifest";

// The spec's provider extension: id dev.kiket.ext.my-oauth (line 4), provider_id my-provider (line 10).
const providerYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/oauth-provider.yaml"), "utf8");
const variant = (extensionId: string, providerId: string, version = "1.0.0") =>
  providerYaml
    .replace(
      "id: dev.kiket.ext.my-oauth",
      `id: dev.kiket.ext.my-oauth\n  version: "${version}"`.replace("dev.kiket.ext.my-oauth", extensionId),
    )
    .replace("provider_id: my-provider", `provider_id: ${providerId}`);

let database: TestDatabase;
let deps: PublisherDeps;
let pat: UserActor; // Acme, publishes the spec's provider first
let mallory: UserActor; // Rival, another publisher

const call = (actor: UserActor): PublisherCall => ({ actor, source: { kind: "ui", ip: "127.0.0.1", userAgent: "vitest" } });

async function refusal(promise: Promise<unknown>): Promise<ExtensionError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExtensionError);
  return error as ExtensionError;
}

beforeAll(async () => {
  database = await openTestDatabase();
  deps = { db: database.db, vault: buildVault(database.db, await localKeyring()).vault };
  const db = database.db;
  const [acme] = await db.insert(publishers).values({ slug: "acme", name: "Acme Extensions" }).returning();
  const [rival] = await db.insert(publishers).values({ slug: "rival", name: "Rival Apps" }).returning();
  const [p] = await db.insert(users).values({ email: "pat@acme.example", name: "Pat" }).returning();
  const [m] = await db.insert(users).values({ email: "mallory@rival.example", name: "Mallory" }).returning();
  if (!acme || !rival || !p || !m) throw new Error("seed failed");
  await db.insert(publisherMembers).values([
    { publisherId: acme.id, userId: p.id, role: "owner" },
    { publisherId: rival.id, userId: m.id, role: "owner" },
  ]);
  const actor = async (id: string) => (await loadUserActor(db, id)) ?? Promise.reject(new Error("actor"));
  [pat, mallory] = await Promise.all([actor(p.id), actor(m.id)]);

  const first = await uploadManifest(db, call(pat), { yaml: providerYaml });
  await publishExtension(deps, call(pat), first.extension.id);
});

afterAll(async () => {
  await database?.close();
});

describe(`provider ids that collide, on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("refuses another publisher's provider_id equal to a published provider's, naming the field, line and owner", async () => {
    const error = await refusal(uploadManifest(database.db, call(mallory), { yaml: variant("dev.rival.their-oauth", "my-provider") }));
    expect(error.code).toBe("invalid_manifest");
    expect(error.message).toBe("The manifest has 1 error.");
    expect(error.details.manifestErrors).toEqual([
      {
        path: "extension.provides.oauth_provider.provider_id",
        line: 11,
        column: 20,
        message:
          '"my-provider" is already a provider id of My OAuth Provider (dev.kiket.ext.my-oauth, published by Acme Extensions); consumers naming "my-provider" must keep getting that provider. Choose another provider_id.',
      },
    ]);
    // Nothing was created: the extension id is still free.
    expect(await database.db.select().from(extensions).where(eq(extensions.slug, "dev.rival.their-oauth"))).toEqual([]);
  });

  it("refuses a provider_id that is a built-in catalogue id", async () => {
    const error = await refusal(uploadManifest(database.db, call(mallory), { yaml: variant("dev.rival.chat", "slack") }));
    expect(error.details.manifestErrors).toEqual([
      {
        path: "extension.provides.oauth_provider.provider_id",
        line: 11,
        column: 20,
        message:
          '"slack" is the id of the built-in Slack provider; consumers naming "slack" must keep getting it. Choose another provider_id, such as rival-slack.',
      },
    ]);
  });

  it("refuses an extension id whose last segment (a name the provider answers to) is taken", async () => {
    // requires.oauth_provider: my-oauth (the spec's consumer) names Acme's provider by this alias.
    const alias = await refusal(uploadManifest(database.db, call(mallory), { yaml: variant("dev.rival.my-oauth", "rival-provider") }));
    expect(alias.details.manifestErrors).toEqual([
      expect.objectContaining({
        path: "extension.id",
        line: 4,
        column: 7,
        message: expect.stringMatching(/^The extension id's last segment "my-oauth"/),
      }),
    ]);
    const builtIn = await refusal(uploadManifest(database.db, call(mallory), { yaml: variant("dev.rival.github", "rival-github") }));
    expect(builtIn.details.manifestErrors?.map((e) => [e.path, e.message])).toEqual([
      [
        "extension.id",
        'The extension id\'s last segment "github" (a name this provider also answers to in requires.oauth_provider) is the id of the built-in GitHub provider; consumers naming "github" must keep getting it. Choose another extension id, such as rival-github.',
      ],
    ]);
  });

  it("lets a publisher upload and publish a new version of its own provider under the same id", async () => {
    const next = await uploadManifest(database.db, call(pat), { yaml: variant("dev.kiket.ext.my-oauth", "my-provider", "1.1.0") });
    expect(next.created).toBe(false);
    const published = await publishExtension(deps, call(pat), next.extension.id);
    expect(published.version.version).toBe("1.1.0");
  });

  it("two drafts with the same new id: the first to publish keeps it, the second is refused at publish", async () => {
    const mine = await uploadManifest(database.db, call(pat), { yaml: variant("dev.acme.files", "files-provider") });
    const theirs = await uploadManifest(database.db, call(mallory), { yaml: variant("dev.rival.files-too", "files-provider") });
    await publishExtension(deps, call(pat), mine.extension.id);
    const error = await refusal(publishExtension(deps, call(mallory), theirs.extension.id));
    expect(error.code).toBe("invalid_manifest");
    expect(error.message).toMatch(
      /^My OAuth Provider cannot be published: extension\.provides\.oauth_provider\.provider_id \(line 11:20\): "files-provider" is already a provider id of My OAuth Provider \(dev\.acme\.files, published by Acme Extensions\)/,
    );
    const [row] = await database.db.select().from(extensions).where(eq(extensions.id, theirs.extension.id));
    expect(row?.status).toBe("draft");
  });
});
