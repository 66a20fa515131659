import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
import { seedDemo } from "@/lib/db/seed-demo";
import { declaredSecrets, formatManifestError, parseManifest } from "@/lib/manifest";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { zoomManifest } from "./demo-manifests";
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

let database: TestDatabase;
let deps: PanelDeps;
let vault: Vault;
let uma: UserActor;
let installationId: string;
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db);
  ({ vault } = buildVault(db, await localKeyring()));
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
      errors: { weather_api_key: "Enter weather_api_key." },
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
