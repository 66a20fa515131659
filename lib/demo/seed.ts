// Demo data for the embedded default: the demo people, their publisher and organizations, and the
// spec's example extensions (published and installed, except Zoom: a draft awaiting its partner credentials). Idempotent: every insert is keyed on a natural
// key and skips what exists, so it runs on every start.
import { and, eq } from "drizzle-orm";
import { demoManifests } from "@/lib/demo/manifests";
import { formatManifestError, parseManifest } from "@/lib/manifest";
import { declaredSecrets } from "@/lib/manifest/declarations";
import type { Db } from "@/lib/db/client";
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

export async function seedDemo(db: Db, options: { oauthIssuer?: string } = {}): Promise<void> {
  await db.transaction(async (tx) => {
    const userIds = new Map<string, string>();
    for (const person of demoPeople) {
      await tx
        .insert(users)
        .values({ email: person.email, name: person.name, isPlatformAdmin: person.admin, demoKey: person.demoKey })
        .onConflictDoNothing();
      const [row] = await tx.select({ id: users.id }).from(users).where(eq(users.demoKey, person.demoKey));
      if (row) userIds.set(person.demoKey, row.id);
    }
    const id = (key: string) => {
      const value = userIds.get(key);
      if (!value) throw new Error(`demo person ${key} missing`);
      return value;
    };

    await tx.insert(publishers).values({ slug: "acme-extensions", name: "Acme Extensions" }).onConflictDoNothing();
    const [publisher] = await tx.select().from(publishers).where(eq(publishers.slug, "acme-extensions"));
    if (!publisher) throw new Error("demo publisher missing");
    await tx
      .insert(publisherMembers)
      .values({ publisherId: publisher.id, userId: id("publisher"), role: "owner" })
      .onConflictDoNothing();
    await tx
      .insert(publisherMembers)
      .values({ publisherId: publisher.id, userId: id("developer"), role: "member" })
      .onConflictDoNothing();

    const orgIds = new Map<string, string>();
    for (const org of demoOrgs) {
      await tx.insert(organizations).values({ slug: org.slug, name: org.name }).onConflictDoNothing();
      const [row] = await tx.select().from(organizations).where(eq(organizations.slug, org.slug));
      if (!row) throw new Error(`demo org ${org.slug} missing`);
      orgIds.set(org.slug, row.id);
      for (const [person, role] of org.members) {
        await tx
          .insert(orgMembers)
          .values({ orgId: row.id, userId: id(person), role })
          .onConflictDoNothing();
      }
    }

    for (const manifestYaml of demoManifests(options.oauthIssuer)) {
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
          publisherId: publisher.id,
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
      const globex = orgIds.get("globex");
      if (globex && extension.id !== "dev.mycompany.zoom-integration") {
        await tx
          .insert(installations)
          .values({ extensionId: ext.id, orgId: globex, versionId: version.id, installedBy: id("enduser") })
          .onConflictDoNothing();
      }
      const sandbox = orgIds.get("acme-sandbox");
      if (sandbox && extension.id.startsWith("dev.kiket.ext.")) {
        await tx
          .insert(installations)
          .values({ extensionId: ext.id, orgId: sandbox, versionId: version.id, installedBy: id("developer") })
          .onConflictDoNothing();
      }
    }
  });
}
