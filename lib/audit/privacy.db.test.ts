// What a publisher's audit view shows of other organizations' people (issue 12, item 11): a pseudonym per
// (publisher, person), no name, email, user id, address or user agent — in the JSON pages and in the
// CSV / JSONL exports — while the publisher's own members keep their names and admins see everything.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { extensions, publisherMembers, users } from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { extensionContext, seedOwners } from "@/test/vault";
import { rootFromProof, verifyRow } from "./browser-verify";
import { appendAuditEvents } from "./events";
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { publisherPseudonyms } from "./pseudonyms";
import { listAuditEvents, type AuditRow, type AuditScope } from "./queries";
import { auditFixture } from "@/test/audit-fixtures";

const EVE = { name: "Eve Enduser", email: "eve.enduser@globex.example" };
const EVE_IP = "203.0.113.7";
const EVE_UA = "Mozilla/5.0 (EveBrowser/7.1)";
const EVE_ACCOUNT = "eve.private@provider.example";
const PAT = { name: "Pat Publisher", email: "pat@acme.example" };
const PAT_IP = "198.51.100.23";

let database: TestDatabase;
let vault: Vault;
let acme: Awaited<ReturnType<typeof seedOwners>>;
let globex: Awaited<ReturnType<typeof seedOwners>>;
let acmePublisher: string;
let globexPublisher: string;
let eveId: string;
let connectionId: string;

const publisherOf = async (extensionId: string) =>
  (await database.db.select({ id: extensions.publisherId }).from(extensions).where(eq(extensions.id, extensionId)))[0]?.id ?? "";

const publisherScope = async (extensionId: string, publisherId: string): Promise<AuditScope> => ({
  kind: "extension",
  extensionId,
  publisherIds: [publisherId],
  pseudonyms: await publisherPseudonyms(vault, publisherId),
});

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  const fixture = await auditFixture(db);
  vault = fixture.vault;
  // Acme publishes the extension; Eve is an end user at another organization (Globex) who uses it, and
  // also uses an extension of a second publisher.
  acme = await seedOwners(db, "acme");
  globex = await seedOwners(db, "globex");
  acmePublisher = await publisherOf(acme.extensionId);
  globexPublisher = await publisherOf(globex.extensionId);
  const [eve] = await db.insert(users).values(EVE).returning();
  const [pat] = await db.insert(users).values(PAT).returning();
  if (!eve || !pat) throw new Error("seed failed");
  eveId = eve.id;
  await db.insert(publisherMembers).values({ publisherId: acmePublisher, userId: pat.id, role: "owner" });

  const eveCtx = {
    actor: { kind: "user" as const, id: eve.id },
    source: { kind: "ui" as const, ip: EVE_IP, userAgent: EVE_UA },
    orgId: globex.orgId,
  };
  const orgKey = { extensionId: acme.extensionId, scope: "org" as const, ownerId: globex.orgId, name: "api_key" };
  const userToken = { extensionId: acme.extensionId, scope: "user" as const, ownerId: eve.id, name: "token" };
  await vault.set(eveCtx, orgKey, SecretValue.from("globex-api-key"));
  await vault.rotate(eveCtx, orgKey, SecretValue.from("globex-api-key-2"));
  await vault.set(eveCtx, userToken, SecretValue.from("eve-user-token"));
  connectionId = crypto.randomUUID();
  await appendAuditEvents(db, [
    {
      actor: eveCtx.actor,
      source: eveCtx.source,
      action: "oauth.connect",
      target: "oauth:demo",
      extensionId: acme.extensionId,
      orgId: globex.orgId,
      details: { connection: connectionId, owner_kind: "user", account: EVE_ACCOUNT, scopes: ["read"] },
    },
  ]);
  // Acme's own extension reads Eve's token at run time; Acme's member Pat sets a partner credential.
  await vault.read({ ...extensionContext(acme.extensionId), orgId: globex.orgId }, userToken);
  await vault.reads.flush();
  await vault.set(
    { actor: { kind: "user", id: pat.id }, source: { kind: "ui", ip: PAT_IP, userAgent: "PatBrowser/1.0" } },
    { extensionId: acme.extensionId, scope: "ext", ownerId: acme.extensionId, name: "client_secret" },
    SecretValue.from("acme-client-secret"),
  );
  // Eve at the second publisher's extension.
  await vault.set(eveCtx, { ...orgKey, extensionId: globex.extensionId }, SecretValue.from("globex-api-key"));
  await fixture.sequencer.tick({ forceCheckpoint: true });
});
afterAll(async () => {
  await database.close();
});

/** Every way Eve could be recognized: none of it may reach the publisher. */
const eveTraces = () => [EVE.name, "Eve", EVE.email, eveId, EVE_IP, EVE_UA, "EveBrowser", EVE_ACCOUNT, connectionId];

describe("a publisher's audit view of another organization's people", () => {
  it("shows Eve as one stable pseudonym with no name, email, id, address or user agent", async () => {
    const page = await listAuditEvents(database.db, await publisherScope(acme.extensionId, acmePublisher), {});
    const eveRows = page.rows.filter((r) => r.actor.kind === "user" && r.actor.name === null);
    expect(eveRows.map((r) => r.action).sort()).toEqual(["oauth.connect", "secret.rotate", "secret.set", "secret.set"]);
    const pseudonym = eveRows[0]?.actor.id ?? "";
    expect(pseudonym).toMatch(/^user:[A-Za-z0-9_-]{22}$/);
    for (const row of eveRows) {
      expect(row.actor).toEqual({ kind: "user", id: pseudonym, name: null });
      expect(row.source).toEqual({ kind: "ui", ip: null, user_agent: null });
      expect(row.entry).toBeNull();
      expect(row.withheld).toEqual(expect.arrayContaining(["actor", "source.ip", "source.user_agent"]));
      // The organization that installed the extension stays named.
      expect(row.org).toEqual({ id: globex.orgId, name: "Org" });
    }
    const text = JSON.stringify(page);
    for (const trace of eveTraces()) expect(text).not.toContain(trace);

    // The user secret's owner is Eve too: the same pseudonym, also where Acme's own extension read it.
    const userSet = eveRows.find((r) => r.target === "user.token");
    expect(userSet?.details.owner).toBe(pseudonym);
    const read = page.rows.find((r) => r.action === "secret.read");
    expect(read?.actor).toMatchObject({ kind: "extension", id: acme.extensionId });
    expect(read?.details.owner).toBe(pseudonym);
    const oauth = eveRows.find((r) => r.action === "oauth.connect");
    expect(oauth?.details).toMatchObject({ account: null, connection: expect.stringMatching(/^connection:[0-9a-f]{16}$/) });

    // A later request (a new key derivation) shows the same pseudonym.
    const again = await listAuditEvents(database.db, await publisherScope(acme.extensionId, acmePublisher), {});
    expect(new Set(again.rows.filter((r) => r.actor.name === null).map((r) => r.actor.id))).toEqual(new Set([pseudonym]));
  });

  it("keeps names and addresses of the publisher's own members, with the entry to re-hash", async () => {
    const page = await listAuditEvents(database.db, await publisherScope(acme.extensionId, acmePublisher), {});
    const pats = page.rows.filter((r) => r.actor.name === PAT.name);
    expect(pats).toHaveLength(1);
    expect(pats[0]).toMatchObject({ target: "ext.client_secret", source: { ip: PAT_IP, user_agent: "PatBrowser/1.0" }, withheld: [] });
    const pat = pats[0] as AuditRow;
    expect(pat.proof).not.toBeNull();
    expect(await verifyRow(pat.entry, pat.leaf_index ?? -1, pat.proof ?? { tree_size: 0, root_hash: "", proof_path: [] })).toBe(true);
  });

  it("still proves a withheld row's inclusion in the signed tree from its leaf hash", async () => {
    const page = await listAuditEvents(database.db, await publisherScope(acme.extensionId, acmePublisher), {});
    const withheld = page.rows.filter((r) => r.withheld.length > 0);
    expect(withheld.length).toBeGreaterThan(0);
    for (const row of withheld) {
      const proof = row.proof ?? { tree_size: 0, root_hash: "", proof_path: [] };
      expect(await rootFromProof(row.leaf_index ?? -1, proof.tree_size, row.leaf_hash ?? "", proof.proof_path)).toBe(proof.root_hash);
    }
  });

  it("exports the same projection as CSV and JSONL", async () => {
    const scope = await publisherScope(acme.extensionId, acmePublisher);
    const pseudonym = scope.kind === "extension" ? scope.pseudonyms.user(eveId) : "";
    const csv = await (await auditEventsResponse(database.db, scope, new URL("http://x/?format=csv"))).text();
    const jsonl = await (await auditEventsResponse(database.db, scope, new URL("http://x/?format=jsonl"))).text();
    const [header, ...lines] = csv.trim().split("\r\n");
    expect(header).toMatch(/,leaf_index,leaf_hash,withheld$/);
    expect(lines).toHaveLength(6);
    expect(lines.filter((l) => l.includes(pseudonym))).toHaveLength(5); // four actions by Eve + the read of her token
    expect(jsonl.trim().split("\n")).toHaveLength(6);
    for (const text of [csv, jsonl]) {
      for (const trace of eveTraces()) expect(text).not.toContain(trace);
      expect(text).toContain(pseudonym);
      expect(text).toContain(PAT.name);
    }
  });

  it("finds Eve by her pseudonym only, never by her name, email or id", async () => {
    const scope = await publisherScope(acme.extensionId, acmePublisher);
    const pseudonym = scope.kind === "extension" ? scope.pseudonyms.user(eveId) : "";
    for (const probe of [EVE.email, "Eve", "globex.example", eveId]) {
      expect((await listAuditEvents(database.db, scope, { actor: probe })).rows).toHaveLength(0);
    }
    const found = await listAuditEvents(database.db, scope, { actor: pseudonym });
    expect(found.rows.map((r) => r.actor.id)).toEqual([pseudonym, pseudonym, pseudonym, pseudonym]);
    expect((await listAuditEvents(database.db, scope, { actor: "pat@acme" })).rows.map((r) => r.actor.name)).toEqual([PAT.name]);
    // Another publisher's pseudonym for Eve names no one here.
    const other = await publisherScope(globex.extensionId, globexPublisher);
    const foreign = other.kind === "extension" ? other.pseudonyms.user(eveId) : "";
    expect((await listAuditEvents(database.db, scope, { actor: foreign })).rows).toHaveLength(0);
  });

  it("gives the same person a different pseudonym at another publisher", async () => {
    const acmeView = await listAuditEvents(database.db, await publisherScope(acme.extensionId, acmePublisher), {});
    const globexView = await listAuditEvents(database.db, await publisherScope(globex.extensionId, globexPublisher), {});
    const acmeName = acmeView.rows.find((r) => r.action === "oauth.connect")?.actor.id;
    const [globexRow] = globexView.rows;
    expect(globexView.rows).toHaveLength(1);
    expect(globexRow?.actor.id).toMatch(/^user:[A-Za-z0-9_-]{22}$/);
    expect(globexRow?.actor.id).not.toBe(acmeName);
    for (const trace of eveTraces()) expect(JSON.stringify(globexView)).not.toContain(trace);
  });

  it("shows admins everything as stored", async () => {
    const page = await listAuditEvents(database.db, { kind: "all" }, { actor: EVE.email });
    expect(page.rows).toHaveLength(5);
    for (const row of page.rows) {
      expect(row.actor).toEqual({ kind: "user", id: eveId, name: EVE.name });
      expect(row.source).toEqual({ kind: "ui", ip: EVE_IP, user_agent: EVE_UA });
      expect(row.withheld).toEqual([]);
      expect(row.entry?.actor.id).toBe(eveId);
    }
    expect(page.rows.find((r) => r.action === "oauth.connect")?.details).toMatchObject({ account: EVE_ACCOUNT, connection: connectionId });
  });
});
