// The data bench:refresh refreshes: a provider extension whose manifest points at the loopback token
// endpoint, its partner credentials in the vault, and N people with a connection each, all due at once.
import { randomBytes, randomUUID } from "node:crypto";
import { SecretValue } from "@/lib/crypto";
import type { Db } from "@/lib/db/client";
import { extensionVersions, extensions, oauthConnections, organizations, publishers, users } from "@/lib/db/schema";
import { sealTokens } from "@/lib/oauth/token-seal";
import type { DataKeys } from "@/lib/crypto/data-keys";
import type { Vault } from "@/lib/vault/vault";
import { progress } from "./lib";
import { CLIENT, type TokenServer } from "./refresh-token-server";

/** The provider id of the bench's OAuth provider. */
export const PROVIDER_ID = "bench-provider";
/** The caller the bench writes and reads as. */
export const SYSTEM = { actor: { kind: "system" as const, id: "bench" }, source: { kind: "cli" as const, userAgent: "bench:refresh" } };

/** The provider extension (published, endpoints at the loopback server, partner credentials in the vault). */
async function seedProvider(db: Db, vault: Vault, server: TokenServer, tag: string) {
  const [publisher] = await db
    .insert(publishers)
    .values({ slug: `bench-pub-${tag}`, name: "Bench Publisher" })
    .returning();
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: `dev.bench.oauth-${tag}`, name: "Bench OAuth", status: "published" })
    .returning();
  const [org] = await db
    .insert(organizations)
    .values({ slug: `bench-org-${tag}`, name: "Bench Org" })
    .returning();
  if (!ext || !org) throw new Error("seeding the provider extension and organization returned no rows");
  const manifest = {
    extension: { id: ext.slug, name: ext.name, version: "1.0.0" },
    credentials: {
      ext: [
        { key: "client_id", label: "Client id", type: "oauth_client_id", required: true },
        { key: "client_secret", label: "Client secret", type: "oauth_client_secret", required: true },
      ],
    },
    provides: {
      oauth_provider: {
        provider_id: PROVIDER_ID,
        display_name: "Bench Provider",
        endpoints: { authorize: `${server.base}/authorize`, token: `${server.base}/token` },
        default_scopes: ["read"],
      },
    },
  };
  await db.insert(extensionVersions).values({ extensionId: ext.id, version: "1.0.0", manifestYaml: "", manifest, publishedAt: new Date() });
  const partner = (name: string, value: string) =>
    vault.set(SYSTEM, { extensionId: ext.id, scope: "ext", ownerId: ext.id, name }, SecretValue.from(value));
  await partner("client_id", CLIENT.id);
  await partner("client_secret", CLIENT.secret);
  return { ext, org };
}

/**
 * The provider extension and `total` people with a connection each, tokens sealed as the OAuth flow
 * seals them, all expiring in 30 s with an hour-old issue time: every one is due at once.
 */
export async function seed(db: Db, vault: Vault, dataKeys: DataKeys, server: TokenServer, total: number) {
  const tag = randomBytes(3).toString("hex");
  const { ext, org } = await seedProvider(db, vault, server, tag);
  const shown = progress("  seeding connections");
  const dek = await dataKeys.forWrite();
  const now = Date.now();
  const batch = 250;
  for (let from = 0; from < total; from += batch) {
    const people = await db
      .insert(users)
      .values(
        Array.from({ length: Math.min(batch, total - from) }, (_, i) => ({
          email: `bench-${tag}-${from + i}@example.test`,
          name: `Bench ${from + i}`,
        })),
      )
      .returning({ id: users.id });
    const rows = people.map((person) => {
      const id = randomUUID();
      const sealed = sealTokens(dek, { id, ownerKind: "user", ownerId: person.id }, 1, {
        accessToken: `at_${randomBytes(24).toString("base64url")}`,
        refreshToken: server.issue(id),
      });
      return {
        id,
        ownerKind: "user" as const,
        ownerId: person.id,
        orgId: org.id,
        providerId: PROVIDER_ID,
        providerName: "Bench Provider",
        clientExtensionId: ext.id,
        scopes: ["read"],
        status: "active" as const,
        dekId: sealed.dekId,
        accessToken: sealed.accessToken,
        refreshToken: sealed.refreshToken,
        expiresAt: new Date(now + 30_000),
        issuedAt: new Date(now - 3600_000),
        tokenVersion: 1,
        connectedBy: person.id,
      };
    });
    await db.insert(oauthConnections).values(rows);
    shown.update(from + rows.length, total);
  }
  shown.clear();
  return { extensionId: ext.id };
}
