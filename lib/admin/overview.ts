// What the platform admin's pages read: platform counts (small tables only: the audit log is summarized
// by lib/audit/activity.ts with bounded queries), connection health by provider, the keyring's keys and
// what they wrap, and the plain lists those counters open (people, organizations, extensions,
// connections). Admins see across tenants by design: these functions are for platform admins only, and
// their pages guard with requirePlatformAdmin. Never a value or a token: statuses and counts.
import { and, count, desc, eq, isNotNull, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import {
  extensionVersions,
  extensions,
  installations,
  oauthConnections,
  orgMembers,
  organizations,
  publishers,
  secrets,
  users,
} from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";

/** Rows in the platform's small tables. Secrets counts those with a value set; connections every one. */
export async function platformCounts(db: DbOrTx) {
  const one = async (query: Promise<{ n: number }[]>) => (await query)[0]?.n ?? 0;
  const [people, orgs, exts, installs, secretCount, connections] = await Promise.all([
    one(db.select({ n: count() }).from(users)),
    one(db.select({ n: count() }).from(organizations)),
    one(db.select({ n: count() }).from(extensions)),
    one(db.select({ n: count() }).from(installations)),
    one(db.select({ n: count() }).from(secrets).where(isNotNull(secrets.currentVersion))),
    one(db.select({ n: count() }).from(oauthConnections)),
  ]);
  return { people, orgs, extensions: exts, installations: installs, secrets: secretCount, connections };
}

/** A connection's health as the overview groups it: active with refresh failures pending is "degraded". */
export type ConnectionHealth = "active" | "degraded" | "expired" | "revoked";
export const connectionHealths: readonly ConnectionHealth[] = ["active", "degraded", "expired", "revoked"];

const healthOf = sql<ConnectionHealth>`case when ${oauthConnections.status} = 'active' and ${oauthConnections.refreshFailures} > 0 then 'degraded' else ${oauthConnections.status} end`;

/** Per provider (by id, with its display name), how many connections are in each health state. */
export async function connectionHealthByProvider(db: DbOrTx) {
  const rows = await db
    .select({
      providerId: oauthConnections.providerId,
      providerName: sql<string>`max(${oauthConnections.providerName})`,
      health: healthOf,
      n: sql<number>`count(*)::int`,
    })
    .from(oauthConnections)
    .groupBy(oauthConnections.providerId, healthOf)
    .orderBy(oauthConnections.providerId);
  const byProvider = new Map<string, { providerId: string; providerName: string } & Record<ConnectionHealth, number>>();
  for (const row of rows) {
    const entry = byProvider.get(row.providerId) ?? {
      providerId: row.providerId,
      providerName: row.providerName,
      active: 0,
      degraded: 0,
      expired: 0,
      revoked: 0,
    };
    entry[row.health] += Number(row.n);
    byProvider.set(row.providerId, entry);
  }
  return [...byProvider.values()];
}

/**
 * Connections across the platform, most recently changed first, optionally of one provider and one
 * health state: who owns each (organization, and the person for personal ones), its account and status,
 * when it was last refreshed and the last refresh error. At most `limit` (default 200) rows.
 */
export async function listConnections(db: DbOrTx, filters: { providerId?: string; health?: ConnectionHealth; limit?: number } = {}) {
  const where: SQL[] = [];
  if (filters.providerId) where.push(eq(oauthConnections.providerId, filters.providerId));
  if (filters.health) where.push(sql`${healthOf} = ${filters.health}`);
  return db
    .select({
      id: oauthConnections.id,
      providerId: oauthConnections.providerId,
      providerName: oauthConnections.providerName,
      ownerKind: oauthConnections.ownerKind,
      orgName: organizations.name,
      personName: users.name,
      accountLabel: oauthConnections.accountLabel,
      health: healthOf,
      refreshFailures: oauthConnections.refreshFailures,
      lastRefreshedAt: oauthConnections.lastRefreshedAt,
      lastError: oauthConnections.lastError,
      updatedAt: oauthConnections.updatedAt,
    })
    .from(oauthConnections)
    .innerJoin(organizations, eq(organizations.id, oauthConnections.orgId))
    .leftJoin(users, and(eq(oauthConnections.ownerKind, "user"), eq(users.id, oauthConnections.ownerId)))
    .where(and(...where))
    .orderBy(desc(oauthConnections.updatedAt))
    .limit(filters.limit ?? 200);
}

/** The keyring's key-encryption keys with how many data keys and stored values each wraps. */
export interface KeyringState {
  kind: "local" | "aws-kms";
  currentKekId: string;
  keks: { id: string; state: "current" | "active" | "retired" | "unknown"; deks: number; values: number }[];
}

/** What `npm run keys:status` prints, for the admin pages. Reads the database and the keyring's KEK list. */
export async function keyringState(vault: Vault): Promise<KeyringState> {
  const keyring = vault.dataKeys.keyring;
  const [keks, counts] = await Promise.all([keyring.listKeks(), vault.dataKeys.countsByKek()]);
  const countOf = (id: string) => counts.find((c) => c.kekId === id) ?? { deks: 0, values: 0 };
  return {
    kind: keyring.kind,
    currentKekId: keyring.currentKekId(),
    keks: [
      ...keks.map((k) => ({
        id: k.id,
        state: k.current ? ("current" as const) : k.retired ? ("retired" as const) : ("active" as const),
        ...pick(countOf(k.id)),
      })),
      // Data keys under a KEK the keyring no longer lists: they cannot be opened until it is back.
      ...counts.filter((c) => !keks.some((k) => k.id === c.kekId)).map((c) => ({ id: c.kekId, state: "unknown" as const, ...pick(c) })),
    ],
  };
}

const pick = (c: { deks: number; values: number }) => ({ deks: c.deks, values: c.values });

/** Every organization with its member and installation counts, by name. */
export async function listOrganizations(db: DbOrTx) {
  return db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      members: sql<number>`(select count(*)::int from ${orgMembers} where ${orgMembers.orgId} = ${organizations}.${sql.identifier("id")})`,
      installations: sql<number>`(select count(*)::int from ${installations} where ${installations.orgId} = ${organizations}.${sql.identifier("id")})`,
      createdAt: organizations.createdAt,
    })
    .from(organizations)
    .orderBy(organizations.name);
}

/** Every person, by name, with whether they are a platform admin. */
export async function listPeople(db: DbOrTx) {
  return db
    .select({ id: users.id, name: users.name, email: users.email, isPlatformAdmin: users.isPlatformAdmin, createdAt: users.createdAt })
    .from(users)
    .orderBy(users.name);
}

/** Every extension with its publisher, status, newest version and installation count, by name. */
export async function listAllExtensions(db: DbOrTx) {
  const outerId = sql`${extensions}.${sql.identifier("id")}`;
  return db
    .select({
      id: extensions.id,
      slug: extensions.slug,
      name: extensions.name,
      status: extensions.status,
      publisherName: publishers.name,
      latestVersion: sql<string | null>`(select ${extensionVersions.version} from ${extensionVersions}
        where ${extensionVersions.extensionId} = ${outerId} order by ${extensionVersions.createdAt} desc limit 1)`,
      installCount: sql<number>`(select count(*)::int from ${installations} where ${installations.extensionId} = ${outerId})`,
    })
    .from(extensions)
    .innerJoin(publishers, eq(publishers.id, extensions.publisherId))
    .orderBy(extensions.name);
}
