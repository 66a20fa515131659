// The demo people offered on the sign-in page in demo mode.
import { asc, isNotNull } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { users } from "@/lib/db/schema";

const roleHints: Record<string, string> = {
  publisher: "Publisher · Acme Extensions",
  enduser: "End user · owner of Globex",
  enduser2: "End user · owner of Initech",
  admin: "Platform admin",
  member: "End user · member of Globex",
  developer: "Developer at Acme Extensions · owner of Acme Sandbox",
};

export async function listDemoPeople(db: DbOrTx) {
  const rows = await db
    .select({ demoKey: users.demoKey, name: users.name, email: users.email })
    .from(users)
    .where(isNotNull(users.demoKey))
    .orderBy(asc(users.createdAt), asc(users.email));
  return rows.flatMap((r) => (r.demoKey ? [{ key: r.demoKey, name: r.name, email: r.email, hint: roleHints[r.demoKey] ?? "" }] : []));
}
