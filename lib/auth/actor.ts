// Who is calling: a signed-in person with their memberships, resolved once per request and passed
// down to guards, actions and lib functions. Pure lookups here; Next-specific session reading lives in
// session.ts.
import { eq } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { orgMembers, organizations, publisherMembers, publishers, users, type OrgRole, type PublisherRole } from "@/lib/db/schema";

export interface UserActor {
  kind: "user";
  userId: string;
  email: string;
  name: string;
  isPlatformAdmin: boolean;
  publishers: { id: string; slug: string; name: string; role: PublisherRole }[];
  orgs: { id: string; slug: string; name: string; role: OrgRole }[];
}

/** Loads a user and their memberships; null when the user no longer exists. */
export async function loadUserActor(db: DbOrTx, userId: string): Promise<UserActor | null> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return null;
  const [pubs, orgs] = await Promise.all([
    db
      .select({ id: publishers.id, slug: publishers.slug, name: publishers.name, role: publisherMembers.role })
      .from(publisherMembers)
      .innerJoin(publishers, eq(publishers.id, publisherMembers.publisherId))
      .where(eq(publisherMembers.userId, userId))
      .orderBy(publishers.name),
    db
      .select({ id: organizations.id, slug: organizations.slug, name: organizations.name, role: orgMembers.role })
      .from(orgMembers)
      .innerJoin(organizations, eq(organizations.id, orgMembers.orgId))
      .where(eq(orgMembers.userId, userId))
      .orderBy(organizations.name),
  ]);
  return {
    kind: "user",
    userId: user.id,
    email: user.email,
    name: user.name,
    isPlatformAdmin: user.isPlatformAdmin,
    publishers: pubs,
    orgs,
  };
}
