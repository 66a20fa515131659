// Issue 12, item 3, at sign-in: an identity provider's profile is text from outside too. A NUL in it used
// to fail inside PostgreSQL; it is refused with a message that says which field, and no user is created.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { upsertExternalUser } from "./options";

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe("signing in with an external identity", () => {
  it("refuses a profile name with a NUL character and creates no user", async () => {
    const identity = { provider: "oidc", subject: "sub-1", email: "nul@example.com", name: "Nul\u0000Person" };
    await expect(upsertExternalUser(database.db, identity, [])).rejects.toThrow(
      "The identity provider's name contains a NUL character (U+0000), which cannot be stored.",
    );
    expect(await database.db.select().from(users)).toEqual([]);
  });

  it("creates the user from an ordinary profile", async () => {
    const id = await upsertExternalUser(
      database.db,
      { provider: "oidc", subject: "sub-2", email: "Ana@Example.com", name: "Ana Núñez" },
      [],
    );
    const [row] = await database.db.select().from(users);
    expect(row).toMatchObject({ id, email: "ana@example.com", name: "Ana Núñez" });
  });
});
