// Demo data for the embedded default: the demo people, their publisher and organizations, and the
// spec's example extensions (published and installed, except Zoom: a draft awaiting its partner
// credentials). Idempotent: every insert is keyed on a natural key and skips what exists, so it runs on
// every start.
import { and, eq } from "drizzle-orm";
import { demoManifests } from "@/lib/demo/manifests";
import { formatManifestError, parseManifest } from "@/lib/manifest";
import { declaredSecrets } from "@/lib/manifest/declarations";
import type { Db, Tx } from "@/lib/db/client";
import {
  extensionVersions,
  extensions,
  installations,
  orgMembers,
  organizations,
  publisherMembers,
  publishers,
  users,
  type OrgRole,
} from "@/lib/db/schema";

export const demoPeople = [
  { demoKey: "publisher", email: "pat@acme-extensions.example", name: "Pat Publisher", admin: false },
  { demoKey: "enduser", email: "eve@globex.example", name: "Eve Enduser", admin: false },
  { demoKey: "enduser2", email: "uma@initech.example", name: "Uma User", admin: false },
  { demoKey: "admin", email: "ada@latchkey.example", name: "Ada Admin", admin: true },
  { demoKey: "member", email: "mo@globex.example", name: "Mo Member", admin: false },
  { demoKey: "developer", email: "dana@acme-extensions.example", name: "Dana Developer", admin: false },
] as const;

const demoOrgs: { slug: string; name: string; members: [string, OrgRole][] }[] = [
  {
    slug: "globex",
    name: "Globex",
    members: [
      ["enduser", "owner"],
      ["member", "member"],
    ],
  },
  { slug: "initech", name: "Initech", members: [["enduser2", "owner"]] },
  // The publisher's own test organization: a developer there can mint test tokens for its installations.
  { slug: "acme-sandbox", name: "Acme Sandbox", members: [["developer", "owner"]] },
];

/**
 * Seeds the demo data in one transaction: the demo people, the Acme Extensions publisher (Pat owner, Dana
 * member), the organizations and their members, then each demo manifest as an extension with its version,
 * installed in Globex (all but Zoom) and, for dev.kiket.ext.* extensions, in Acme Sandbox. Idempotent.
 * `oauthIssuer` is the demo OAuth provider's issuer the demo manifests point at (see demoManifests).
 * @throws {Error} when a demo manifest does not parse, or a row it just ensured cannot be read back
 */
export async function seedDemo(db: Db, options: { oauthIssuer?: string } = {}): Promise<void> {
  await db.transaction(async (tx) => {
    const person = await seedPeople(tx);
    const publisherId = await seedPublisher(tx, person);
    const orgIds = await seedOrganizations(tx, person);
    for (const manifestYaml of demoManifests(options.oauthIssuer)) {
      const { extension, extensionId, versionId } = await seedExtension(tx, publisherId, manifestYaml);
      const globex = orgIds.get("globex");
      if (globex && extension !== "dev.mycompany.zoom-integration") {
        await install(tx, { extensionId, orgId: globex, versionId, installedBy: person("enduser") });
      }
      const sandbox = orgIds.get("acme-sandbox");
      if (sandbox && extension.startsWith("dev.kiket.ext.")) {
        await install(tx, { extensionId, orgId: sandbox, versionId, installedBy: person("developer") });
      }
    }
  });
}

/** Ensures every demo person; returns their user id by demo key (throws for a key that is not one). */
async function seedPeople(tx: Tx): Promise<(demoKey: string) => string> {
  const userIds = new Map<string, string>();
  for (const person of demoPeople) {
    await tx
      .insert(users)
      .values({ email: person.email, name: person.name, isPlatformAdmin: person.admin, demoKey: person.demoKey })
      .onConflictDoNothing();
    const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.demoKey, person.demoKey));
    if (row) userIds.set(person.demoKey, row.id);
  }
  return (key) => {
    const value = userIds.get(key);
    if (!value) throw new Error(`demo person ${key} missing`);
    return value;
  };
}

/** Ensures the Acme Extensions publisher with Pat as owner and Dana as member; returns its id. */
async function seedPublisher(tx: Tx, person: (demoKey: string) => string): Promise<string> {
  await tx.insert(publishers).values({ slug: "acme-extensions", name: "Acme Extensions" }).onConflictDoNothing();
  const [publisher] = await tx.select().from(publishers).where(eq(publishers.slug, "acme-extensions"));
  if (!publisher) throw new Error("demo publisher missing");
  await tx
    .insert(publisherMembers)
    .values({ publisherId: publisher.id, userId: person("publisher"), role: "owner" })
    .onConflictDoNothing();
  await tx
    .insert(publisherMembers)
    .values({ publisherId: publisher.id, userId: person("developer"), role: "member" })
    .onConflictDoNothing();
  return publisher.id;
}

/** Ensures the demo organizations and their members; returns their ids by slug. */
async function seedOrganizations(tx: Tx, person: (demoKey: string) => string): Promise<Map<string, string>> {
  const orgIds = new Map<string, string>();
  for (const org of demoOrgs) {
    await tx.insert(organizations).values({ slug: org.slug, name: org.name }).onConflictDoNothing();
    const [row] = await tx.select().from(organizations).where(eq(organizations.slug, org.slug));
    if (!row) throw new Error(`demo org ${org.slug} missing`);
    orgIds.set(org.slug, row.id);
    for (const [member, role] of org.members) {
      await tx
        .insert(orgMembers)
        .values({ orgId: row.id, userId: person(member), role })
        .onConflictDoNothing();
    }
  }
  return orgIds;
}

/**
 * Ensures one demo manifest's extension and version under the publisher: published, or a draft when
 * its required partner credentials are missing. Returns the extension's id (as in the manifest) and rows.
 */
async function seedExtension(
  tx: Tx,
  publisherId: string,
  manifestYaml: string,
): Promise<{ extension: string; extensionId: string; versionId: string }> {
  // The same parser as uploads, so the demo stores exactly what an upload of these files would.
  const parsed = parseManifest(manifestYaml);
  if (!parsed.ok) throw new Error(`demo manifest invalid: ${parsed.errors.map(formatManifestError).join("; ")}`);
  const manifest = parsed.manifest as unknown as Record<string, unknown>;
  const { extension } = parsed.manifest;
  // The publish rule holds for demo data too: an extension whose required partner credentials are
  // missing (Zoom) starts as a draft for the demo publisher to configure and publish.
  const publishable = !declaredSecrets(manifest).some((d) => d.scope === "ext" && d.required);
  await tx
    .insert(extensions)
    .values({
      publisherId,
      slug: extension.id,
      name: extension.name,
      description: extension.description ?? "",
      status: publishable ? "published" : "draft",
    })
    .onConflictDoNothing();
  const [ext] = await tx.select().from(extensions).where(eq(extensions.slug, extension.id));
  if (!ext) throw new Error(`demo extension ${extension.id} missing`);
  await tx
    .insert(extensionVersions)
    .values({ extensionId: ext.id, version: extension.version, manifestYaml, manifest, publishedAt: publishable ? new Date() : null })
    .onConflictDoNothing();
  const [version] = await tx
    .select()
    .from(extensionVersions)
    .where(and(eq(extensionVersions.extensionId, ext.id), eq(extensionVersions.version, extension.version)));
  if (!version) throw new Error(`demo version of ${extension.id} missing`);
  return { extension: extension.id, extensionId: ext.id, versionId: version.id };
}

/** Ensures one installation (kept as it is when the extension is already installed there). */
async function install(
  tx: Tx,
  installation: { extensionId: string; orgId: string; versionId: string; installedBy: string },
): Promise<void> {
  await tx.insert(installations).values(installation).onConflictDoNothing();
}
