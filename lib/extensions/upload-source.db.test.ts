import fs from "node:fs";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { auditEvents, publisherMembers, publishers, sourceScans, users } from "@/lib/db/schema";
import type { PublisherCall } from "@/lib/extensions/access";
import { ExtensionError } from "@/lib/extensions/errors";
import type { PublisherDeps } from "@/lib/extensions/partner-credentials";
import { publishExtension } from "@/lib/extensions/publish";
import { uploadManifest } from "@/lib/extensions/upload-manifest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { ArchiveError } from "@/lib/scan/archive";
import { getSourceScan, uploadSource } from "@/lib/extensions/upload-source";
import { makeTarGz, makeZip } from "@/test/archives";

const spotifyYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/spotify-secrets.yaml"), "utf8");
const zoomYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/zoom-partner-credentials.yaml"), "utf8");

// The example: line 14 reads the environment, line 31 the legacy platform config.
const LEGACY_APP = [
  'import { createClient } from "@latchkey/sdk";',
  ...Array.from({ length: 12 }, (_, i) => `// line ${i + 2}`),
  "const key = process.env.STRIPE_KEY;",
  ...Array.from({ length: 16 }, (_, i) => `// line ${i + 15}`),
  'const id = ctx.config.get("spotify.client_id");',
  "",
].join("\n");
const FIXED_APP =
  'export async function search(ctx) {\n  const key = await ctx.secrets.get("spotify_api_key");\n  return key !== null;\n}\n';
const EXCEPTION_APP =
  "// latchkey-allow-plaintext-credential: the v1 importer reads the old key once, removed in 1.2\nconst legacy = process.env.STRIPE_KEY;\n";

let database: TestDatabase;
let deps: PublisherDeps;
let pat: UserActor;
let mallory: UserActor;

const call = (actor: UserActor): PublisherCall => ({ actor, source: { kind: "cli", ip: "127.0.0.1", userAgent: "vitest" } });

async function refusal<T extends Error>(promise: Promise<unknown>, kind: new (...args: never[]) => T): Promise<T> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(kind);
  return error as T;
}

async function newExtension(id: string, yaml = spotifyYaml) {
  const { extension, version } = await uploadManifest(database.db, call(pat), { yaml: yaml.replace(/id: dev\.[\w.-]+/, `id: ${id}`) });
  return { extension, version };
}

beforeAll(async () => {
  database = await openTestDatabase();
  const { vault } = buildVault(database.db, await localKeyring());
  deps = { db: database.db, vault };
  const [acme] = await database.db.insert(publishers).values({ slug: "acme", name: "Acme Extensions" }).returning();
  const [rival] = await database.db.insert(publishers).values({ slug: "rival", name: "Rival Apps" }).returning();
  const [patRow] = await database.db.insert(users).values({ email: "pat@acme.example", name: "Pat Publisher" }).returning();
  const [malloryRow] = await database.db.insert(users).values({ email: "mallory@rival.example", name: "Mallory" }).returning();
  if (!acme || !rival || !patRow || !malloryRow) throw new Error("seed failed");
  await database.db.insert(publisherMembers).values([
    { publisherId: acme.id, userId: patRow.id, role: "owner" },
    { publisherId: rival.id, userId: malloryRow.id, role: "owner" },
  ]);
  pat = (await loadUserActor(database.db, patRow.id)) as UserActor;
  mallory = (await loadUserActor(database.db, malloryRow.id)) as UserActor;
});

afterAll(async () => {
  await database?.close();
});

describe("source upload and publish", () => {
  it("refuses a legacy read with the issue's message, then publishes once it is fixed", async () => {
    const { extension } = await newExtension("dev.acme.legacy");
    const first = await uploadSource(deps, call(pat), {
      extensionRef: extension.slug,
      bytes: await makeTarGz([{ name: "src/app.ts", content: LEGACY_APP }]),
    });
    expect(first.report.summary).toMatchObject({ blocking: 2, warnings: 0 });

    const blocked = await refusal(publishExtension(deps, call(pat), extension.slug), ExtensionError);
    expect(blocked.code).toBe("publish_blocked");
    expect(blocked.message).toBe(
      'Publish blocked: 2 credential reads bypass the vault (src/app.ts:14:13 process.env.STRIPE_KEY; src/app.ts:31:12 ctx.config.get("spotify.client_id")). Declare them in the manifest and read them with secrets.get, or mark a justified exception.',
    );
    expect(blocked.publicFields()).toMatchObject({
      details: {
        findings: [
          { rule: "env-credential-read", path: "src/app.ts", line: 14 },
          { rule: "config-credential-read", line: 31 },
        ],
      },
    });

    // The version page reads the stored findings with their code lines; the value of no credential is in them.
    const stored = await getSourceScan(database.db, extension.id, first.version.id);
    expect(stored?.findings[0]?.context.find((c) => c.line === 14)?.text).toBe("const key = process.env.STRIPE_KEY;");

    await uploadSource(deps, call(pat), { extensionRef: extension.slug, bytes: makeZip([{ name: "src/app.ts", content: FIXED_APP }]) });
    const { version } = await publishExtension(deps, call(pat), extension.slug);
    expect(version.publishedAt).toBeInstanceOf(Date);
    // (The refused publish is audited as a failure, off the request path; these are the changes.)
    const events = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.extensionId, extension.id), eq(auditEvents.outcome, "success")))
      .orderBy(asc(auditEvents.id));
    expect(events.map((e) => e.action)).toEqual(["manifest.upload", "source.upload", "source.upload", "extension.publish"]);
    expect(events[3]?.details).toMatchObject({ scan: { blocking: 0, warnings: 0, exceptions: 0 } });

    // A published version's source cannot be replaced.
    const late = await refusal(
      uploadSource(deps, call(pat), { extensionRef: extension.slug, bytes: makeZip([{ name: "a.ts", content: "" }]) }),
      ExtensionError,
    );
    expect(late.code).toBe("version_published");
  });

  it("reports missing partner credentials and blocking findings together", async () => {
    const { extension } = await newExtension("dev.acme.zoom-scan", zoomYaml);
    await uploadSource(deps, call(pat), {
      extensionRef: extension.id,
      bytes: await makeTarGz([{ name: "index.js", content: "module.exports = process.env.ZOOM_CLIENT_SECRET;\n" }]),
    });
    const blocked = await refusal(publishExtension(deps, call(pat), extension.id), ExtensionError);
    expect(blocked.message).toBe(
      "Missing required partner credentials: Zoom OAuth Client ID, Zoom OAuth Client Secret.\nConfigure them in the Publisher Dashboard.\n" +
        "Publish blocked: 1 credential read bypasses the vault (index.js:1:18 process.env.ZOOM_CLIENT_SECRET). Declare it in the manifest and read it with secrets.get, or mark a justified exception.",
    );
    expect(blocked.publicFields()).toMatchObject({
      details: { missing: ["Zoom OAuth Client ID", "Zoom OAuth Client Secret"], findings: [{ path: "index.js" }] },
    });
  });

  it("publishes with a reasoned exception as a warning and writes it to the audit log", async () => {
    const { extension } = await newExtension("dev.acme.exception");
    const { report } = await uploadSource(deps, call(pat), {
      extensionRef: extension.slug,
      bytes: await makeTarGz([{ name: "src/import.ts", content: EXCEPTION_APP }]),
    });
    expect(report.summary).toEqual({ blocking: 0, warnings: 1, exceptions: 1, baselined: 0 });
    await publishExtension(deps, call(pat), extension.slug);
    const [event] = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.extensionId, extension.id), eq(auditEvents.action, "scan.exception")));
    expect(event?.details).toEqual({
      version: "1.0.0",
      rule: "env-credential-read",
      path: "src/import.ts",
      line: 2,
      column: 16,
      snippet: "process.env.STRIPE_KEY",
      reason: "the v1 importer reads the old key once, removed in 1.2",
    });
  });

  it("honours the archive's ignore file and baseline file", async () => {
    const { extension } = await newExtension("dev.acme.baseline");
    const first = await uploadSource(deps, call(pat), {
      extensionRef: extension.slug,
      bytes: await makeTarGz([
        { name: "src/app.ts", content: "const a = process.env.OLD_TOKEN;\n" },
        { name: "tests/app.test.ts", content: "process.env.TEST_TOKEN;\n" },
        { name: "scripts/seed.ts", content: "process.env.SEED_PASSWORD;\n" },
        { name: ".latchkeyignore", content: "scripts/\n" },
      ]),
    });
    expect(first.report.findings.map((f) => f.path)).toEqual(["src/app.ts"]);
    const baseline = JSON.stringify({
      version: 1,
      findings: [{ fingerprint: first.report.findings[0]?.fingerprint, rule: "env-credential-read", path: "src/app.ts" }],
    });
    const second = await uploadSource(deps, call(pat), {
      extensionRef: extension.slug,
      bytes: await makeTarGz([
        { name: "src/app.ts", content: "// moved down a line\nconst a = process.env.OLD_TOKEN;\n" },
        { name: "latchkey-scan-baseline.json", content: baseline },
      ]),
    });
    expect(second.report.summary).toEqual({ blocking: 0, warnings: 0, exceptions: 0, baselined: 1 });
    await expect(publishExtension(deps, call(pat), extension.slug)).resolves.toBeTruthy();
  });

  it("stores nothing for a refused archive, and refuses another publisher's extension", async () => {
    const { extension, version } = await newExtension("dev.acme.refused");
    const error = await refusal(
      uploadSource(deps, call(pat), {
        extensionRef: extension.slug,
        bytes: await makeTarGz([
          { name: "src/ok.ts", content: "1" },
          { name: "../../etc/cron.d/x", content: "* * * * * root sh" },
        ]),
      }),
      ArchiveError,
    );
    expect(error.message).toBe('The archive entry "../../etc/cron.d/x" points outside the extension\'s root (".." in its path).');
    expect(await getSourceScan(database.db, extension.id, version.id)).toBeNull();
    const uploads = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.extensionId, extension.id), eq(auditEvents.action, "source.upload")));
    expect(uploads).toHaveLength(0);

    const foreign = await refusal(
      uploadSource(deps, call(mallory), { extensionRef: extension.slug, bytes: makeZip([{ name: "a.ts", content: "" }]) }),
      ExtensionError,
    );
    expect(foreign.code).toBe("not_found");
    expect(await database.db.select().from(sourceScans).where(eq(sourceScans.extensionId, extension.id))).toHaveLength(0);
  });
});
