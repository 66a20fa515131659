// What the panel's bell shows a person: their stored notifications (connection state changes, written
// by lib/oauth in the transaction that changed the state) and "rotation due" items computed on each
// read from the secrets they can rotate. Rotation-due items are not stored and cannot be marked read:
// they go away when the secret is rotated. Every query is scoped to the signed-in person.
import { isUuid } from "@/lib/db/ids";
import { and, desc, eq, gt, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { UserActor } from "@/lib/auth/actor";
import type { DbOrTx } from "@/lib/db/client";
import { notifications, secrets, type NotificationKind } from "@/lib/db/schema";
import { declaredSecrets } from "@/lib/manifest";
import { rotationDueAt } from "./panel-secrets";
import { installationsWithManifests } from "./queries";

export interface NotificationItem {
  /** The stored notification's id, or `rotation:<installationId>:<ref>` for a computed one. */
  id: string;
  kind: NotificationKind | "rotation_due";
  message: string;
  /** The panel page that fixes it. */
  link: string;
  /** When it was raised (for rotation due: when the rotation became due). */
  createdAt: Date;
  read: boolean;
}

const DAY_MS = 86_400_000;
/** Read notifications stay listed this long, so a person can still find what they just dismissed. */
const RECENT_READ_MS = 30 * DAY_MS;
const STORED_LIMIT = 50;

/**
 * Secrets of the person (`user.*`) and, in the organizations they own or administer, of the organization
 * (`org.*`) whose last change is older than their declared `rotation_hint_days`. Same rule as the Secrets
 * page's "Rotation due" badge (lib/extensions/panel-secrets.ts).
 */
export async function rotationDue(db: DbOrTx, actor: UserActor, now = new Date()): Promise<NotificationItem[]> {
  const orgIds = actor.orgs.map((o) => o.id);
  if (orgIds.length === 0) return [];
  const adminOrgIds = actor.orgs.filter((o) => o.role === "owner" || o.role === "admin").map((o) => o.id);
  const installed = await installationsWithManifests(db, orgIds);
  if (installed.length === 0) return [];
  const owners = or(
    and(eq(secrets.scope, "user"), eq(secrets.ownerId, actor.userId)),
    adminOrgIds.length > 0 ? and(eq(secrets.scope, "org"), inArray(secrets.ownerId, adminOrgIds)) : sql`false`,
  );
  const stored = await db
    .select({
      extensionId: secrets.extensionId,
      scope: secrets.scope,
      ownerId: secrets.ownerId,
      name: secrets.name,
      lastRotatedAt: secrets.lastRotatedAt,
      lastSetAt: secrets.lastSetAt,
    })
    .from(secrets)
    .where(and(inArray(secrets.extensionId, [...new Set(installed.map((i) => i.extensionId))]), owners, isNotNull(secrets.currentVersion)));
  const key = (extensionId: string, scope: string, ownerId: string, name: string) => `${extensionId}/${scope}/${ownerId}/${name}`;
  const byAddress = new Map(stored.map((s) => [key(s.extensionId, s.scope, s.ownerId, s.name), s]));

  const items: NotificationItem[] = [];
  // A user.* secret belongs to the extension, not the installation: one item even if two orgs install it.
  const seen = new Set<string>();
  for (const inst of installed) {
    const isAdmin = adminOrgIds.includes(inst.orgId);
    for (const d of declaredSecrets(inst.manifest)) {
      if (!d.rotationHintDays || d.scope === "ext" || (d.scope === "org" && !isAdmin)) continue;
      const ownerId = d.scope === "org" ? inst.orgId : actor.userId;
      const address = key(inst.extensionId, d.scope, ownerId, d.name);
      const s = byAddress.get(address);
      const lastChangedAt = s ? (s.lastRotatedAt ?? s.lastSetAt) : null;
      const dueAt = rotationDueAt(d.rotationHintDays, lastChangedAt, now);
      if (!dueAt || seen.has(address)) continue;
      seen.add(address);
      items.push({
        id: `rotation:${inst.installationId}:${d.ref}`,
        kind: "rotation_due",
        message: `${inst.name}: ${d.name} is due for rotation (every ${d.rotationHintDays} days)`,
        link: `/panel/extensions/${inst.installationId}/settings/secrets`,
        createdAt: dueAt,
        read: false,
      });
    }
  }
  return items;
}

/** The person's notifications, newest first: rotation due, then stored unread and recently read ones. */
export async function listNotifications(db: DbOrTx, actor: UserActor, now = new Date()): Promise<NotificationItem[]> {
  const [due, stored] = await Promise.all([
    rotationDue(db, actor, now),
    db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, actor.userId),
          or(isNull(notifications.readAt), gt(notifications.readAt, new Date(now.getTime() - RECENT_READ_MS))),
        ),
      )
      .orderBy(desc(notifications.createdAt))
      .limit(STORED_LIMIT),
  ]);
  return [
    ...due.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
    ...stored.map((n) => ({ id: n.id, kind: n.kind, message: n.message, link: n.link, createdAt: n.createdAt, read: n.readAt !== null })),
  ];
}

/** What the bell's badge counts: unread stored notifications plus every rotation due. */
export async function unreadCount(db: DbOrTx, actor: UserActor, now = new Date()): Promise<number> {
  const [due, [row]] = await Promise.all([
    rotationDue(db, actor, now),
    db
      .select({ count: sql<number>`count(*)::int` })
      .from(notifications)
      .where(and(eq(notifications.userId, actor.userId), isNull(notifications.readAt))),
  ]);
  return due.length + (row?.count ?? 0);
}

/**
 * Marks one of the person's stored notifications (or all of them) read; returns how many changed.
 * Someone else's notification id changes nothing. Rotation-due items are not stored, so their ids
 * change nothing either: rotating the secret clears them.
 */
export async function markRead(db: DbOrTx, actor: UserActor, id: string | "all"): Promise<number> {
  if (id !== "all" && !isUuid(id)) return 0;
  const changed = await db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(eq(notifications.userId, actor.userId), isNull(notifications.readAt), id === "all" ? undefined : eq(notifications.id, id)))
    .returning({ id: notifications.id });
  return changed.length;
}
