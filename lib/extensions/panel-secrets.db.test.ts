import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { auditEvents, extensions, installations, organizations, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import type { Vault } from "@/lib/vault/vault";
import { deletePanelSecret, listPanelSecrets, savePanelSecret, type PanelDeps } from "./panel-secrets";

let database: TestDatabase;
let deps: PanelDeps;
let vault: Vault;
let eve: UserActor;
let uma: UserActor;
let mo: UserActor;
let spotifyInstallation: string;

const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const call = (actor: UserActor) => ({ actor, source });
const code = async (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { code?: string }) => e.code ?? String(e),
  );

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db);
  ({ vault } = buildVault(db, await localKeyring()));
  deps = { db, vault, baseUrl: "http://latchkey.test" };
  const actorOf = async (key: string) => {
    const [u] = await db.select().from(users).where(eq(users.demoKey, key));
    const actor = u ? await loadUserActor(db, u.id) : null;
    if (!actor) throw new Error(key);
    return actor;
  };
  eve = await actorOf("enduser");
  uma = await actorOf("enduser2");
  // A plain member of Globex (not owner or admin).
  mo = await actorOf("member");
  const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
  if (!globex) throw new Error("seed");
  const [row] = await db
    .select({ id: installations.id })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .where(and(eq(extensions.slug, "dev.imperal.spotify"), eq(installations.orgId, globex.id)));
  spotifyInstallation = row?.id ?? "";
});
afterAll(async () => {
  await database.close();
});

describe(`panel secrets (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("lists the declared user and org secrets with their rules and the installation's URLs", async () => {
    const view = await listPanelSecrets(deps, call(eve), spotifyInstallation);
    expect(view.secrets.map((s) => [s.ref, s.isSet, s.canWrite, s.required])).toEqual([
      ["user.spotify_api_key", false, true, true],
      ["user.spotify_refresh_token", false, false, false],
      ["org.stripe_webhook_signing_secret", false, true, false],
    ]);
    expect(view.secrets[1]?.readOnlyReason).toBe("the extension will write this after you authorize");
    expect(view.webhooks.map((w) => w.url)).toEqual([
      `http://latchkey.test/api/v1/hooks/${spotifyInstallation}/callback`,
      `http://latchkey.test/api/v1/hooks/${spotifyInstallation}/stripe-webhook`,
    ]);
  });

  it("sets, then rotates, then deletes a user secret, each audited with the end user and ui source", async () => {
    expect(await savePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_api_key", "sk-eve-1")).toEqual({
      rotated: false,
      label: "Spotify API key",
    });
    expect(await savePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_api_key", "sk-eve-2")).toEqual({
      rotated: true,
      label: "Spotify API key",
    });
    const view = await listPanelSecrets(deps, call(eve), spotifyInstallation);
    expect(view.secrets[0]).toMatchObject({ isSet: true, rotationDue: false });
    // Another member of the same org has their own user.* value: not set.
    expect((await listPanelSecrets(deps, call(mo), spotifyInstallation)).secrets[0]?.isSet).toBe(false);
    expect(await deletePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_api_key")).toEqual({
      wasSet: true,
      label: "Spotify API key",
    });
    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.actorId, eve.userId));
    expect(events.map((e) => [e.action, e.sourceKind, e.target])).toEqual([
      ["secret.set", "ui", "user.spotify_api_key"],
      ["secret.rotate", "ui", "user.spotify_api_key"],
      ["secret.delete", "ui", "user.spotify_api_key"],
    ]);
    expect(new Set(events.map((e) => e.orgId))).toEqual(new Set([eve.orgs[0]?.id]));
  });

  it("marks rotation due once the declared interval has passed", async () => {
    await savePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_api_key", "sk-eve-3");
    const later = new Date(Date.now() + 91 * 86_400_000);
    const view = await listPanelSecrets(deps, call(eve), spotifyInstallation, later);
    expect(view.secrets[0]).toMatchObject({ rotationHintDays: 90, rotationDue: true });
  });

  it("enforces the panel's rules, changing nothing when it refuses", async () => {
    expect(await code(savePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_refresh_token", "x"))).toBe(
      "secret_write_forbidden",
    );
    expect(await code(savePanelSecret(deps, call(eve), spotifyInstallation, "user.not_declared", "x"))).toBe("secret_not_declared");
    expect(await code(savePanelSecret(deps, call(eve), spotifyInstallation, "ext.zoom_client_id", "x"))).toBe("secret_not_declared");
    expect(await code(savePanelSecret(deps, call(mo), spotifyInstallation, "org.stripe_webhook_signing_secret", "whsec_1"))).toBe(
      "secret_write_forbidden",
    );
    expect(await code(savePanelSecret(deps, call(eve), spotifyInstallation, "org.stripe_webhook_signing_secret", "whsec_1"))).toBe("ok");
    const tooLong = savePanelSecret(deps, call(eve), spotifyInstallation, "user.spotify_api_key", "k".repeat(201));
    await expect(tooLong).rejects.toMatchObject({
      code: "secret_value_too_large",
      message: expect.stringContaining("limited to 200 bytes"),
    });
    expect((await listPanelSecrets(deps, call(eve), spotifyInstallation)).secrets[0]?.isSet).toBe(true);
  });

  it("does not reveal another organization's installation", async () => {
    expect(await code(listPanelSecrets(deps, call(uma), spotifyInstallation))).toBe("not_found");
    expect(await code(savePanelSecret(deps, call(uma), spotifyInstallation, "user.spotify_api_key", "x"))).toBe("not_found");
    expect(await code(deletePanelSecret(deps, call(uma), spotifyInstallation, "org.stripe_webhook_signing_secret"))).toBe("not_found");
    expect(await code(listPanelSecrets(deps, call(eve), "not-a-uuid"))).toBe("not_found");
  });
});
