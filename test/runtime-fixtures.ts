// Test and bench fixtures for the runtime: two extensions that declare overlapping names, two
// organizations, three users and three installations, so every authorization boundary (extension, org,
// user) has a neighbour on the other side of it. Not used by the app.
import { extensionVersions, extensions, installations, orgMembers, organizations, publishers, users } from "@/lib/db/schema";
import type { Db } from "@/lib/db/client";

export const manifestA = {
  model_version: "1.0",
  extension: { id: "dev.test.alpha", name: "Alpha", version: "1.0.0" },
  credentials: { ext: [{ key: "client_id", label: "Client ID", required: true, secret: false }] },
  secrets: [
    { name: "api_key", description: "API key", required: true, write_mode: "user", max_bytes: 64, scope: "user" },
    { name: "refresh_token", description: "Refresh token", write_mode: "extension", max_bytes: 4096, scope: "user" },
    { name: "webhook_secret", description: "Webhook signing secret", write_mode: "both", max_bytes: 200, scope: "org" },
    { name: "team_key", description: "Team key", required: true, write_mode: "user", max_bytes: 200, scope: "org" },
  ],
  requires: { oauth_provider: { provider: "my-oauth", scopes: ["calendar.read", "calendar.write"], on_missing: "prompt_connect" } },
};

/** Declares the same user.api_key name as Alpha: a token for Beta must never see Alpha's value. */
export const manifestB = {
  model_version: "1.0",
  extension: { id: "dev.test.beta", name: "Beta", version: "1.0.0" },
  secrets: [{ name: "api_key", description: "API key", required: false, write_mode: "both", max_bytes: 64, scope: "user" }],
};

export async function seedRuntimeFixture(db: Db, tag = Math.random().toString(36).slice(2, 8)) {
  const one = <T>(rows: T[]): T => {
    const [row] = rows;
    if (!row) throw new Error("fixture insert returned nothing");
    return row;
  };
  const publisher = one(
    await db
      .insert(publishers)
      .values({ slug: `pub-${tag}`, name: "Pub" })
      .returning(),
  );
  const makeExtension = async (manifest: typeof manifestA | typeof manifestB) => {
    const ext = one(
      await db
        .insert(extensions)
        .values({ publisherId: publisher.id, slug: `${manifest.extension.id}-${tag}`, name: manifest.extension.name, status: "published" })
        .returning(),
    );
    const version = one(
      await db
        .insert(extensionVersions)
        .values({ extensionId: ext.id, version: "1.0.0", manifestYaml: "# fixture", manifest, publishedAt: new Date() })
        .returning(),
    );
    return { id: ext.id, versionId: version.id };
  };
  const alpha = await makeExtension(manifestA);
  const beta = await makeExtension(manifestB);
  const org1 = one(
    await db
      .insert(organizations)
      .values({ slug: `org1-${tag}`, name: "Org One" })
      .returning(),
  );
  const org2 = one(
    await db
      .insert(organizations)
      .values({ slug: `org2-${tag}`, name: "Org Two" })
      .returning(),
  );
  const user = async (name: string) =>
    one(
      await db
        .insert(users)
        .values({ email: `${name}-${tag}@example.com`, name })
        .returning(),
    );
  const u1 = await user("u1");
  const u2 = await user("u2");
  const u3 = await user("u3");
  await db.insert(orgMembers).values([
    { orgId: org1.id, userId: u1.id, role: "owner" },
    { orgId: org1.id, userId: u2.id, role: "member" },
    { orgId: org2.id, userId: u3.id, role: "owner" },
  ]);
  const install = async (ext: { id: string; versionId: string }, orgId: string) =>
    one(await db.insert(installations).values({ extensionId: ext.id, orgId, versionId: ext.versionId }).returning()).id;
  return {
    alphaId: alpha.id,
    betaId: beta.id,
    org1: org1.id,
    org2: org2.id,
    u1: u1.id,
    u2: u2.id,
    u3: u3.id,
    alphaOrg1: await install(alpha, org1.id),
    betaOrg1: await install(beta, org1.id),
    alphaOrg2: await install(alpha, org2.id),
  };
}

export type RuntimeFixture = Awaited<ReturnType<typeof seedRuntimeFixture>>;
