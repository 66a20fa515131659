// Publisher API tokens for the CLI and the /api/v1/publisher routes: created by a member in the
// dashboard and shown once, stored as a SHA-256 hash, revocable. A token acts as the member who created
// it, within its one publisher only, and only while they are still a member.
import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import type { Db, DbOrTx } from "@/lib/db/client";
import { publisherApiTokens } from "@/lib/db/schema";
import { text } from "@/lib/core/text";
import type { PublisherCall } from "./access";
import { ExtensionError } from "./errors";

export const TOKEN_PREFIX = "lk_pub_";
const TOKEN_PATTERN = /^lk_pub_[A-Za-z0-9_-]{43}$/;

/**
 * A token's name as the dashboard's form and `createApiToken` accept it: 1 to 80 characters of
 * single-line text that PostgreSQL can store (no NUL, no control characters), trimmed.
 */
export const apiTokenName = text({ label: "Token name", min: 1, max: 80, trim: true });

const hashToken = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

function memberOf(actor: UserActor, publisherId: string) {
  const membership = actor.publishers.find((p) => p.id === publisherId);
  if (!membership) throw new ExtensionError("forbidden", "You are not a member of this publisher.");
  return membership;
}

/**
 * Creates a token; the plaintext is returned this once and never stored. A name `apiTokenName` refuses
 * is an ExtensionError `credential_value_invalid` on field `name`, and nothing is stored.
 */
export async function createApiToken(db: Db, call: PublisherCall, input: { publisherId: string; name: string }) {
  memberOf(call.actor, input.publisherId);
  const checked = apiTokenName.safeParse(input.name);
  if (!checked.success) {
    throw new ExtensionError("credential_value_invalid", checked.error.issues[0]?.message ?? "Name the token.", { field: "name" });
  }
  const name = checked.data;
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await db.transaction(async (tx) => {
    const [inserted] = await tx
      .insert(publisherApiTokens)
      .values({ publisherId: input.publisherId, userId: call.actor.userId, name, tokenHash: hashToken(token), prefix: token.slice(0, 11) })
      .returning();
    if (!inserted) throw new Error("token row missing after insert");
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "api_token.create",
        target: `publisher_token:${inserted.id}`,
        details: { publisher: input.publisherId, name, prefix: inserted.prefix },
      },
    ]);
    return inserted;
  });
  return { token, id: row.id, name: row.name, prefix: row.prefix, createdAt: row.createdAt };
}

export async function listApiTokens(db: DbOrTx, actor: UserActor, publisherId: string) {
  memberOf(actor, publisherId);
  return db
    .select({
      id: publisherApiTokens.id,
      name: publisherApiTokens.name,
      prefix: publisherApiTokens.prefix,
      createdAt: publisherApiTokens.createdAt,
      lastUsedAt: publisherApiTokens.lastUsedAt,
      revokedAt: publisherApiTokens.revokedAt,
    })
    .from(publisherApiTokens)
    .where(eq(publisherApiTokens.publisherId, publisherId))
    .orderBy(desc(publisherApiTokens.createdAt));
}

export async function revokeApiToken(db: Db, call: PublisherCall, input: { publisherId: string; tokenId: string }) {
  memberOf(call.actor, input.publisherId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(publisherApiTokens)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(publisherApiTokens.id, input.tokenId),
          eq(publisherApiTokens.publisherId, input.publisherId),
          isNull(publisherApiTokens.revokedAt),
        ),
      )
      .returning();
    if (!row) throw new ExtensionError("token_not_found", "No such active token in this publisher.");
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: call.actor.userId },
        source: call.source,
        action: "api_token.revoke",
        target: `publisher_token:${row.id}`,
        details: { publisher: input.publisherId, name: row.name, prefix: row.prefix },
      },
    ]);
    return { id: row.id };
  });
}

/**
 * The caller a bearer token stands for: its creator, with their memberships narrowed to the token's
 * publisher. Null for a malformed, unknown or revoked token, or when the creator has left the publisher.
 */
export async function authenticateApiToken(db: Db, token: string): Promise<UserActor | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select()
    .from(publisherApiTokens)
    .where(and(eq(publisherApiTokens.tokenHash, hashToken(token)), isNull(publisherApiTokens.revokedAt)));
  if (!row) return null;
  const actor = await loadUserActor(db, row.userId);
  const membership = actor?.publishers.find((p) => p.id === row.publisherId);
  if (!actor || !membership) return null;
  await db.update(publisherApiTokens).set({ lastUsedAt: new Date() }).where(eq(publisherApiTokens.id, row.id));
  return { ...actor, publishers: [membership], orgs: [], isPlatformAdmin: false };
}
