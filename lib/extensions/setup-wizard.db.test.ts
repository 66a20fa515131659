import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAuditEvents, type AuditAppender } from "@/lib/audit/events";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import {
  auditEvents,
  extensionVersions,
  extensions,
  installationSettings,
  installations,
  organizations,
  publishers,
  users,
} from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { declaredSecrets, formatManifestError, parseManifest } from "@/lib/manifest";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import type { Keyring } from "@/lib/crypto";
import { zoomManifest } from "@/lib/demo/manifests";
import { installExtension } from "./installations";
import type { PanelDeps } from "./panel-secrets";
import { loadWizard, parseMarkdown, submitStep, validateStep, wizardSteps } from "./setup-wizard";

const wizardManifest = `model_version: "1.0"
extension:
  id: dev.test.weather
  name: Weather
  version: 1.0.0
secrets:
  - name: weather_api_key
    description: Your weather API key.
    required: true
    max_bytes: 64
    scope: user
setup:
  - secrets:
      title: API key
      collect: [weather_api_key]
  - configure:
      title: Preferences
      fields:
        - key: region
          label: Region
          type: select
          options: [eu, us]
          required: true
        - key: nickname
          label: Nickname
  - test:
      endpoint: /health
  - info:
      markdown: "You are **done**. See [docs](https://example.com/docs) or [bad](javascript:alert(1)).\\n\\n<script>x</script> \`code\`"
`;

// Issue 12, item 5: one step whose two fields have different limits.
const twoSecretsManifest = `model_version: "1.0"
extension:
  id: dev.test.two-secrets
  name: Two Secrets
  version: 1.0.0
secrets:
  - name: first_secret
    description: The first secret.
    max_bytes: 100
  - name: second_secret
    description: The second secret.
    max_bytes: 10
setup:
  - secrets:
      title: Both secrets
      collect: [first_secret, second_secret]
`;

let database: TestDatabase;
let deps: PanelDeps;
let vault: Vault;
let uma: UserActor;
let installationId: string;
let twoSecretsId: string;
let keyring: Keyring;
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db);
  keyring = await localKeyring();
  ({ vault } = buildVault(db, keyring));
  deps = { db, vault, baseUrl: "http://latchkey.test" };
  const [u] = await db.select().from(users).where(eq(users.demoKey, "enduser2"));
  const actor = u ? await loadUserActor(db, u.id) : null;
  if (!actor) throw new Error("seed");
  uma = actor;
  const parsed = parseManifest(wizardManifest);
  if (!parsed.ok) throw new Error(parsed.errors.map(formatManifestError).join("; "));
  const [publisher] = await db.select().from(publishers);
  const [initech] = await db.select().from(organizations).where(eq(organizations.slug, "initech"));
  if (!publisher || !initech) throw new Error("seed");
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher.id, slug: "dev.test.weather", name: "Weather", status: "published" })
    .returning();
  if (!ext) throw new Error("insert");
  const manifest = parsed.manifest as unknown as Record<string, unknown>;
  await db
    .insert(extensionVersions)
    .values({ extensionId: ext.id, version: "1.0.0", manifestYaml: wizardManifest, manifest, publishedAt: new Date() });
  installationId = (await installExtension(db, { actor: uma, source }, initech.id, ext.id)).installation.id;
});
afterAll(async () => {
  await database.close();
});

describe(`setup wizard (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("reads Zoom's OAuth field as a Connect button, not a typed value, and its step as skippable", () => {
    const parsed = parseManifest(zoomManifest);
    if (!parsed.ok) throw new Error("zoom manifest");
    const manifest = parsed.manifest as unknown as Record<string, unknown>;
    const [step] = wizardSteps(manifest, declaredSecrets(manifest));
    expect(step?.fields[0]).toMatchObject({ kind: "secret", oauthProvider: "zoom", enterable: false, ref: "org.zoom_access_token" });
    expect(step?.optional).toBe(true);
  });

  it("walks the steps: validation before moving on, saving the secret to the vault and the settings, Back and Skip", async () => {
    const call = { actor: uma, source };
    let wizard = await loadWizard(deps, call, installationId);
    expect(wizard.steps.map((s) => [s.kind, s.optional])).toEqual([
      ["secrets", false],
      ["configure", false],
      ["test", true],
      ["info", false],
    ]);
    expect(wizard.current).toBe(0);
    // A required step cannot be skipped, and an empty required secret does not move on.
    await expect(submitStep(deps, call, installationId, { stepIndex: 0, move: "skip", values: {} })).rejects.toMatchObject({
      code: "forbidden",
    });
    expect(await submitStep(deps, call, installationId, { stepIndex: 0, move: "next", values: {} })).toEqual({
      ok: false,
      errors: { weather_api_key: "Enter Weather API key." },
    });
    expect((await loadWizard(deps, call, installationId)).current).toBe(0);
    expect(await submitStep(deps, call, installationId, { stepIndex: 0, move: "next", values: { weather_api_key: "wk-123" } })).toEqual({
      ok: true,
      current: 1,
    });
    wizard = await loadWizard(deps, call, installationId);
    expect([...wizard.setRefs]).toEqual(["user.weather_api_key"]);
    // A select value outside its options is refused; nothing is stored.
    expect(await submitStep(deps, call, installationId, { stepIndex: 1, move: "next", values: { region: "mars" } })).toEqual({
      ok: false,
      errors: { region: "Choose one of: eu, us." },
    });
    expect(await database.db.select().from(installationSettings)).toEqual([]);
    expect(await submitStep(deps, call, installationId, { stepIndex: 1, move: "next", values: { region: "eu", nickname: "" } })).toEqual({
      ok: true,
      current: 2,
    });
    expect((await loadWizard(deps, call, installationId)).settings).toEqual({ region: "eu" });
    expect(await submitStep(deps, call, installationId, { stepIndex: 2, move: "back", values: {} })).toEqual({ ok: true, current: 1 });
    expect(await submitStep(deps, call, installationId, { stepIndex: 1, move: "next", values: { region: "us" } })).toEqual({
      ok: true,
      current: 2,
    });
    expect(await submitStep(deps, call, installationId, { stepIndex: 2, move: "skip", values: {} })).toEqual({ ok: true, current: 3 });
    const [row] = await database.db.select().from(installations).where(eq(installations.id, installationId));
    expect(row?.setupStep).toBe(3);
    expect((await loadWizard(deps, call, installationId)).settings).toEqual({ region: "us" });
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.actorId, uma.userId));
    expect(events.map((e) => e.action)).toEqual([
      "extension.install",
      "secret.set",
      "installation.setup_step",
      "installation.configure",
      "installation.setup_step",
      "installation.setup_step",
      "installation.configure",
      "installation.setup_step",
      "installation.setup_step",
    ]);
    expect(new Set(events.map((e) => e.sourceKind))).toEqual(new Set(["ui"]));
    expect(JSON.stringify(events)).not.toContain("wk-123");
  });

  it("keeps a set required secret when its field is left blank", () => {
    const steps = wizardSteps({ setup: [{ secrets: { collect: ["k"] } }] }, [
      {
        ref: "user.k",
        scope: "user",
        name: "k",
        label: "k",
        description: "",
        required: true,
        writeMode: "user",
        maxBytes: 10,
        rotationHintDays: null,
        masked: true,
        source: "secrets",
      },
    ]);
    const [step] = steps;
    if (!step) throw new Error("step");
    expect(validateStep(step, {}, new Set(["user.k"]))).toEqual({});
    expect(validateStep(step, {}, new Set())).toEqual({ k: "Enter k." });
  });

  it("reads markdown into text, bold, code and http(s) links only; HTML stays text", () => {
    expect(
      parseMarkdown("You are **done**. See [docs](https://example.com/docs) or [bad](javascript:alert(1)).\n\n<script>x</script> `code`"),
    ).toEqual([
      [
        { type: "text", text: "You are " },
        { type: "strong", text: "done" },
        { type: "text", text: ". See " },
        { type: "link", text: "docs", href: "https://example.com/docs" },
        { type: "text", text: " or " },
        { type: "text", text: "bad" },
        { type: "text", text: ")." },
      ],
      [
        { type: "text", text: "<script>x</script> " },
        { type: "code", text: "code" },
      ],
    ]);
  });
});

describe(`a step's fields are saved together or not at all (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  const first = "fs-valid-first-secret-value";
  // Installed here, after the walk-through above, whose audit assertions count this person's events.
  beforeAll(async () => {
    const { db } = database;
    const [publisher] = await db.select().from(publishers);
    const [initech] = await db.select().from(organizations).where(eq(organizations.slug, "initech"));
    if (!publisher || !initech) throw new Error("seed");

    const two = parseManifest(twoSecretsManifest);
    if (!two.ok) throw new Error(two.errors.map(formatManifestError).join("; "));
    const [twoExt] = await db
      .insert(extensions)
      .values({ publisherId: publisher.id, slug: "dev.test.two-secrets", name: "Two Secrets", status: "published" })
      .returning();
    if (!twoExt) throw new Error("insert");
    await db.insert(extensionVersions).values({
      extensionId: twoExt.id,
      version: "1.0.0",
      manifestYaml: twoSecretsManifest,
      manifest: two.manifest as unknown as Record<string, unknown>,
      publishedAt: new Date(),
    });
    twoSecretsId = (await installExtension(db, { actor: uma, source }, initech.id, twoExt.id)).installation.id;
  });
  const stored = async () =>
    (await vault.list((await loadWizard(deps, { actor: uma, source }, twoSecretsId)).extension.id, "user", uma.userId)).filter(
      (s) => s.isSet,
    );
  const secretEvents = async () =>
    database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.actorId, uma.userId), like(auditEvents.action, "secret.%"), like(auditEvents.target, "user.%_secret")));

  it("stores nothing when the second value is over its limit, and says so beside the second field", async () => {
    const call = { actor: uma, source };
    const second = "x".repeat(27);
    expect(
      await submitStep(deps, call, twoSecretsId, { stepIndex: 0, move: "next", values: { first_secret: first, second_secret: second } }),
    ).toEqual({
      ok: false,
      errors: { second_secret: "Second secret is limited to 10 bytes; the value has 27." },
    });
    expect(await stored()).toEqual([]);
    expect(await secretEvents()).toEqual([]);
    expect((await loadWizard(deps, call, twoSecretsId)).current).toBe(0);
  });

  it("reports every field's error at once, counting bytes as stored (UTF-8)", async () => {
    const call = { actor: uma, source };
    // 51 two-byte characters: 51 characters, 102 bytes.
    const values = { first_secret: "é".repeat(51), second_secret: "x".repeat(27) };
    expect(await submitStep(deps, call, twoSecretsId, { stepIndex: 0, move: "next", values })).toEqual({
      ok: false,
      errors: {
        first_secret: "First secret is limited to 100 bytes; the value has 102.",
        second_secret: "Second secret is limited to 10 bytes; the value has 27.",
      },
    });
    expect(await stored()).toEqual([]);
  });

  it("leaves the first value unstored when writing the second fails mid-step", async () => {
    const attempted: string[] = [];
    // The audit event of the second write cannot be written (as a database error would): the vault has
    // already written the first value in the same transaction, which must roll back with it.
    const failing: AuditAppender = async (tx, events) => {
      attempted.push(...events.map((e) => e.target ?? ""));
      if (events.some((e) => e.target === "user.second_secret")) throw new Error("simulated database failure");
      await appendAuditEvents(tx, events);
    };
    const broken = { ...deps, vault: buildVault(database.db, keyring, { appendAudit: failing }).vault };
    await expect(
      submitStep(broken, { actor: uma, source }, twoSecretsId, {
        stepIndex: 0,
        move: "next",
        values: { first_secret: first, second_secret: "s-ok" },
      }),
    ).rejects.toThrow("simulated database failure");
    expect(attempted).toEqual(["user.first_secret", "user.second_secret"]);
    expect(await stored()).toEqual([]);
    expect(await secretEvents()).toEqual([]);
    expect((await loadWizard(deps, { actor: uma, source }, twoSecretsId)).current).toBe(0);
  });

  it("stores both values of a valid submission, with one audit event each", async () => {
    const call = { actor: uma, source };
    expect(
      await submitStep(deps, call, twoSecretsId, { stepIndex: 0, move: "next", values: { first_secret: first, second_secret: "s-ok" } }),
    ).toEqual({
      ok: true,
      current: 1,
    });
    expect((await stored()).map((s) => [s.name, s.byteLength])).toEqual([
      ["first_secret", first.length],
      ["second_secret", 4],
    ]);
    const events = await secretEvents();
    expect(events.map((e) => [e.action, e.target]).sort()).toEqual([
      ["secret.set", "user.first_secret"],
      ["secret.set", "user.second_secret"],
    ]);
    const extensionId = (await loadWizard(deps, call, twoSecretsId)).extension.id;
    const read = await vault.read(
      { actor: { kind: "extension", id: extensionId }, source },
      { extensionId, scope: "user", ownerId: uma.userId, name: "first_secret" },
    );
    expect(read?.reveal()).toBe(first);
  });
});
