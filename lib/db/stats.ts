// Platform-wide counts for the admin overview.
import { count } from "drizzle-orm";
import type { DbOrTx } from "./client";
import { auditEvents, extensions, installations, organizations, secrets, users } from "./schema";

export async function platformStats(db: DbOrTx) {
  const tally = async (
    table: typeof users | typeof organizations | typeof extensions | typeof installations | typeof secrets | typeof auditEvents,
  ) => {
    const [row] = await db.select({ n: count() }).from(table);
    return row?.n ?? 0;
  };
  const [people, orgs, exts, installs, secretCount, events] = await Promise.all([
    tally(users),
    tally(organizations),
    tally(extensions),
    tally(installations),
    tally(secrets),
    tally(auditEvents),
  ]);
  return { people, orgs, extensions: exts, installations: installs, secrets: secretCount, auditEvents: events };
}
