// Issue 12, item 3, on the audit viewers' API (GET /api/v1/audit/events and the publisher and end-user
// variants, all answered by auditEventsResponse): a NUL in a text filter used to reach PostgreSQL's WHERE
// clause and come back as a 500; it is a 400 invalid_request that names the parameter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { seedOwners } from "@/test/vault";
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { appendEvents } from "@/test/audit-fixtures";

let database: TestDatabase;
let owners: Awaited<ReturnType<typeof seedOwners>>;

beforeAll(async () => {
  database = await openTestDatabase();
  owners = await seedOwners(database.db, "nul");
  await appendEvents(database.db, 2, 0, { extensionId: owners.extensionId, actor: { kind: "user", id: owners.userId } });
});
afterAll(async () => {
  await database.close();
});

const get = (query: string) =>
  auditEventsResponse(database.db, { kind: "all" }, new URL(`http://latchkey.test/api/v1/audit/events?${query}`));

describe("audit event filters", () => {
  it("answers the issue's ?actor=%00 with 400 invalid_request naming actor", async () => {
    const response = await get("actor=%00");
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string; field: string; request_id: string } };
    expect(error).toMatchObject({
      code: "invalid_request",
      field: "actor",
      message: "actor contains a NUL character (U+0000), which cannot be stored.",
    });
    expect(error.request_id).toBeTruthy();
  });

  it.each(["action", "extension", "org"])("refuses a NUL in %s the same way, for every export format", async (field) => {
    for (const format of ["json", "csv", "jsonl"]) {
      const response = await get(`${field}=ab%00cd&format=${format}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request", field } });
    }
  });

  it("still filters by ordinary text, and names the parameter in zod's own messages", async () => {
    const ok = await get(`actor=${owners.userId}`);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { rows: unknown[] }).rows).toHaveLength(2);
    const long = await get(`action=${"a".repeat(201)}`);
    expect(await long.json()).toMatchObject({ error: { field: "action", message: "action must be at most 200 characters." } });
    const outcome = await get("outcome=maybe");
    expect(((await outcome.json()) as { error: { message: string } }).error.message).toMatch(/^outcome: /);
  });
});
