// Who may touch an extension: members of its publisher only. Lookups put the caller's publishers in the
// WHERE clause, so another publisher's extension is simply not found (its existence is not revealed).
import { isUuid } from "@/lib/db/ids";
import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { UserActor } from "@/lib/auth/actor";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, type Extension, type ExtensionVersion } from "@/lib/db/schema";
import type { AuditSource } from "@/lib/audit/events";
import { escapeText, findTextProblem } from "@/lib/core/text";
import { ExtensionError } from "./errors";

/** Who is acting and from where: every publisher operation takes both, for its checks and its audit event. */
export interface PublisherCall {
  actor: UserActor;
  source: AuditSource;
}

/** Extensions are addressed by id (dashboard URLs) or by their manifest id (the CLI): both work. */
export function extensionRefMatch(ref: string): SQL {
  return isUuid(ref) ? eq(extensions.id, ref) : eq(extensions.slug, ref);
}

/**
 * One of the caller's publishers' extensions by id or manifest id; ExtensionError `not_found` otherwise,
 * including for a reference no extension can have (a NUL or control character from `%00` in a URL,
 * which PostgreSQL could not even compare).
 */
export async function getOwnExtension(db: DbOrTx, actor: UserActor, ref: string): Promise<Extension> {
  const publisherIds = actor.publishers.map((p) => p.id);
  if (publisherIds.length > 0 && findTextProblem(ref) === null) {
    const [row] = await db
      .select()
      .from(extensions)
      .where(and(extensionRefMatch(ref), inArray(extensions.publisherId, publisherIds)));
    if (row) return row;
  }
  throw new ExtensionError("not_found", `No extension ${escapeText(ref)} in your publishers.`);
}

/** The newest version (draft or published): the manifest that declares what the publisher configures. */
export async function getLatestVersion(db: DbOrTx, extensionId: string): Promise<ExtensionVersion | null> {
  const [row] = await db
    .select()
    .from(extensionVersions)
    .where(eq(extensionVersions.extensionId, extensionId))
    .orderBy(desc(extensionVersions.createdAt))
    .limit(1);
  return row ?? null;
}
