// The audit viewer's Actor filter finds people, not letters: "Eve" is Eve Enduser and never Dana
// Developer (whose name merely contains "eve"), in the admin view and for a publisher's own members.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensions, publisherMembers, users } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { seedOwners } from "@/test/vault";
import { PublisherPseudonyms } from "./pseudonyms";
import { listAuditEvents } from "./queries";
import { appendEvents } from "@/test/audit-fixtures";

let database: TestDatabase;
let owners: Awaited<ReturnType<typeof seedOwners>>;
const people = {
  eve: { name: "Eve Enduser", email: "eve@globex.example" },
  dana: { name: "Dana Developer", email: "dana@acme-extensions.example" },
  jean: { name: "Jean-Luc Picard", email: "jl@enterprise.example" },
};
const ids: Record<keyof typeof people, string> = { eve: "", dana: "", jean: "" };

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  owners = await seedOwners(db, "af");
  for (const [key, person] of Object.entries(people) as [keyof typeof people, (typeof people)["eve"]][]) {
    const [row] = await db.insert(users).values(person).returning({ id: users.id });
    ids[key] = row?.id ?? "";
    await appendEvents(db, 2, 0, { extensionId: owners.extensionId, actor: { kind: "user", id: ids[key] } });
  }
});
afterAll(async () => {
  await database.close();
});

const actorsFound = async (actor: string, scope: Parameters<typeof listAuditEvents>[1] = { kind: "all" }) =>
  [...new Set((await listAuditEvents(database.db, scope, { actor })).rows.map((r) => r.actor.name))].sort();

describe(`the Actor filter on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("matches a person by a whole word of their name, not by letters inside one", async () => {
    expect(await actorsFound("Eve")).toEqual(["Eve Enduser"]);
    expect(await actorsFound("eve")).toEqual(["Eve Enduser"]);
    expect(await actorsFound("Dana")).toEqual(["Dana Developer"]);
    // The start of a word is enough, and several words must all match.
    expect(await actorsFound("dana dev")).toEqual(["Dana Developer"]);
    expect(await actorsFound("Eve Developer")).toEqual([]);
    expect(await actorsFound("veloper")).toEqual([]);
    expect(await actorsFound("Luc")).toEqual(["Jean-Luc Picard"]);
  });

  it("matches the start of an email or the exact id, and treats % and _ as letters", async () => {
    expect(await actorsFound("dana@acme")).toEqual(["Dana Developer"]);
    expect(await actorsFound("EVE@GLOBEX.EXAMPLE")).toEqual(["Eve Enduser"]);
    expect(await actorsFound("globex.example")).toEqual([]);
    expect(await actorsFound(ids.jean)).toEqual(["Jean-Luc Picard"]);
    expect(await actorsFound("%")).toEqual([]);
    expect(await actorsFound("_ve")).toEqual([]);
  });

  it("in a publisher's view, finds its own members the same way", async () => {
    const { db } = database;
    const [ext] = await db.select().from(extensions).where(eq(extensions.id, owners.extensionId));
    const publisherId = ext?.publisherId ?? "";
    await db.insert(publisherMembers).values({ publisherId, userId: ids.dana, role: "member" });
    const scope = {
      kind: "extension" as const,
      extensionId: owners.extensionId,
      publisherIds: [publisherId],
      pseudonyms: new PublisherPseudonyms(publisherId, randomBytes(64)),
    };
    expect(await actorsFound("Dana", scope)).toEqual(["Dana Developer"]);
    // Eve is not a member: her name finds nothing here, whole word or not.
    expect(await actorsFound("Eve", scope)).toEqual([]);
  });
});
