// Fixture for the package check (scripts/check-packages.mjs): in the fresh embedded database the check's
// Latchkey will serve, the demo data, then what a developer does by hand before running an extension —
// Dana Developer (a member of the publisher Acme Extensions and owner of Acme Sandbox) creates a
// publisher API token, installs Spotify in Acme Sandbox and pastes her spotify_api_key (the value comes
// from CHECK_SECRET_VALUE). Everything goes through the same lib functions the dashboard and panel call.
// Prints `{ apiToken, installationId }` as JSON. Run before the app starts: PGlite allows one process.
import { eq } from "drizzle-orm";
import { loadUserActor } from "@/lib/auth/actor";
import { extensions, organizations, publishers, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { env } from "@/lib/env";
import { createApiToken } from "@/lib/extensions/api-tokens";
import { installExtension } from "@/lib/extensions/installations";
import { savePanelSecret } from "@/lib/extensions/panel-secrets";
import { fail, openCli } from "@/scripts/cli";

async function main() {
  const value = process.env.CHECK_SECRET_VALUE;
  if (!value) fail("CHECK_SECRET_VALUE must hold the spotify_api_key value to store.");
  const config = env();
  const { database, vault } = await openCli();
  try {
    const { db } = database;
    await seedDemo(db, { oauthIssuer: config.demoOAuth.issuer });
    const [dana] = await db.select().from(users).where(eq(users.demoKey, "developer"));
    const [publisher] = await db.select().from(publishers).where(eq(publishers.slug, "acme-extensions"));
    const [sandbox] = await db.select().from(organizations).where(eq(organizations.slug, "acme-sandbox"));
    const [spotify] = await db.select().from(extensions).where(eq(extensions.slug, "dev.imperal.spotify"));
    if (!dana || !publisher || !sandbox || !spotify) fail("The demo data is missing Dana, Acme Extensions, Acme Sandbox or Spotify.");
    const actor = await loadUserActor(db, dana.id);
    if (!actor) fail("Dana Developer cannot be loaded as an actor.");
    const call = { actor, source: { kind: "ui" as const, userAgent: "check-packages" } };

    const { token } = await createApiToken(db, call, { publisherId: publisher.id, name: "check-packages" });
    const { installation } = await installExtension(db, call, sandbox.id, spotify.id);
    await savePanelSecret({ db, vault, baseUrl: config.LATCHKEY_URL }, call, installation.id, "user.spotify_api_key", value);
    process.stdout.write(`${JSON.stringify({ apiToken: token, installationId: installation.id })}\n`);
  } finally {
    await database.close();
  }
}

main().catch(fail);
