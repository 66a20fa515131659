// One guard per role. Each takes the resolved actor and either returns the membership it proves or
// throws an AccessError; pages, server actions and route handlers all call these same functions.
import type { OrgRole } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/domain-error";
import type { UserActor } from "./actor";

export type AccessErrorCode = "unauthenticated" | "forbidden";

/** The caller is not signed in (401) or lacks the membership or role the operation needs (403). */
export class AccessError extends DomainError<AccessErrorCode> {
  static override readonly kind = "AccessError";

  constructor(code: AccessErrorCode, message: string) {
    super(code, message);
  }

  get status(): 401 | 403 {
    return this.code === "unauthenticated" ? 401 : 403;
  }
}

export function requireUser(actor: UserActor | null): UserActor {
  if (!actor) throw new AccessError("unauthenticated", "Sign in to continue.");
  return actor;
}

/** A member of the given publisher (or of any publisher when none is named). */
export function requirePublisherMember(actor: UserActor | null, publisherId?: string) {
  const user = requireUser(actor);
  const membership = publisherId ? user.publishers.find((p) => p.id === publisherId) : user.publishers[0];
  if (!membership) throw new AccessError("forbidden", "You are not a member of this publisher.");
  return { actor: user, publisher: membership };
}

const orgRank: Record<OrgRole, number> = { member: 0, admin: 1, owner: 2 };

/** A member of the organization holding at least `minRole` (owner > admin > member). */
export function requireOrgRole(actor: UserActor | null, orgId: string | undefined, minRole: OrgRole = "member") {
  const user = requireUser(actor);
  const membership = orgId ? user.orgs.find((o) => o.id === orgId) : user.orgs[0];
  if (!membership) throw new AccessError("forbidden", "You are not a member of this organization.");
  if (orgRank[membership.role] < orgRank[minRole]) {
    throw new AccessError("forbidden", `This needs the ${minRole} role in ${membership.name}; you are ${membership.role}.`);
  }
  return { actor: user, org: membership };
}

export function requirePlatformAdmin(actor: UserActor | null): UserActor {
  const user = requireUser(actor);
  if (!user.isPlatformAdmin) throw new AccessError("forbidden", "Only platform admins can do this.");
  return user;
}
