// OAuth provider ids are one namespace across Latchkey: a consumer's `requires.oauth_provider: slack` or a
// setup field's `obtain: {provider: slack}` must mean the same provider in every organization, and an
// installed provider extension is looked up before the built-in catalogue. So a provider extension may
// not answer to a catalogue id or to a name another extension's published provider answers to: that would
// silently reroute consumers (and send their OAuth client secret to another token endpoint). Checked when
// a manifest is uploaded and again when it is published (serialised, so two publishers cannot both win);
// the first extension to publish a name keeps it, including every later version of its own.
import { and, eq, isNotNull, or, sql } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { extensionVersions, extensions, publishers } from "@/lib/db/schema";
import { manifestErrorAt, type ManifestError } from "@/lib/manifest";
import { catalogue } from "@/lib/oauth/catalogue";
import { providerAliases } from "@/lib/manifest/oauth";

/** Advisory transaction lock that serialises provider publishes ("LKOP"), next to the audit sequencer's. */
const PROVIDER_IDS_LOCK = 0x4c4b_4f50;

const PROVIDER_ID_PATH = ["extension", "provides", "oauth_provider", "provider_id"];
const EXTENSION_ID_PATH = ["extension", "id"];

/** A name a published provider extension answers to, and since when (its first published version that did). */
interface Claim {
  name: string;
  extensionId: string;
  slug: string;
  extensionName: string;
  publisherName: string;
  since: Date;
}

/** Every name published provider extensions answer to (provider_id and extension-id alias), earliest claim per extension. */
async function publishedClaims(db: DbOrTx): Promise<Claim[]> {
  const rows = await db
    .select({
      extensionId: extensions.id,
      slug: extensions.slug,
      extensionName: extensions.name,
      publisherName: publishers.name,
      manifest: extensionVersions.manifest,
      publishedAt: extensionVersions.publishedAt,
    })
    .from(extensionVersions)
    .innerJoin(extensions, eq(extensions.id, extensionVersions.extensionId))
    .innerJoin(publishers, eq(publishers.id, extensions.publisherId))
    .where(
      and(
        isNotNull(extensionVersions.publishedAt),
        // Only manifests that provide a provider (stored normalised under extension:, or at the top level).
        or(
          sql`${extensionVersions.manifest} -> 'extension' -> 'provides' -> 'oauth_provider' is not null`,
          sql`${extensionVersions.manifest} -> 'provides' -> 'oauth_provider' is not null`,
        ),
      ),
    );
  const earliest = new Map<string, Claim>();
  for (const row of rows) {
    for (const name of providerAliases(row.manifest, row.slug)) {
      const key = `${row.extensionId}\u0000${name}`;
      const since = row.publishedAt ?? new Date(0);
      const seen = earliest.get(key);
      if (!seen || since < seen.since) earliest.set(key, { name, ...row, since });
    }
  }
  return [...earliest.values()];
}

/**
 * The manifest errors (path and line:column in `yaml`) for each name this extension's provider would answer
 * to that is a catalogue id or already answered to by another extension's published provider. Empty when
 * the manifest provides no OAuth provider. A name this extension published first stays its own (new
 * versions of a provider keep working even if the catalogue later gains the same id).
 */
export async function providerIdConflicts(
  db: DbOrTx,
  manifest: unknown,
  extension: { id: string; slug: string },
  yaml: string,
): Promise<ManifestError[]> {
  const names = providerAliases(manifest, extension.slug);
  if (names.length === 0) return [];
  const claims = await publishedClaims(db);
  const errors: ManifestError[] = [];
  names.forEach((name, index) => {
    // providerAliases lists provider_id first, then the extension id's last segment when it differs.
    const isProviderId = index === 0;
    const ownSince = claims.find((c) => c.extensionId === extension.id && c.name === name)?.since;
    const subject = isProviderId
      ? `"${name}"`
      : `The extension id's last segment "${name}" (a name this provider also answers to in requires.oauth_provider)`;
    const fix = isProviderId ? "Choose another provider_id" : "Choose another extension id";
    const builtIn = catalogue.get(name);
    const taken = claims
      .filter((c) => c.extensionId !== extension.id && c.name === name && (!ownSince || c.since <= ownSince))
      .sort((a, b) => a.since.getTime() - b.since.getTime())[0];
    let message: string | null = null;
    if (builtIn && !ownSince) {
      message = `${subject} is the id of the built-in ${builtIn.displayName} provider; consumers naming "${name}" must keep getting it. ${fix}, such as ${extension.slug.split(".").at(-2) ?? "my"}-${name}.`;
    } else if (taken) {
      message = `${subject} is already a provider id of ${taken.extensionName} (${taken.slug}, published by ${taken.publisherName}); consumers naming "${name}" must keep getting that provider. ${fix}.`;
    }
    if (message) errors.push(manifestErrorAt(yaml, { path: isProviderId ? PROVIDER_ID_PATH : EXTENSION_ID_PATH, message }));
  });
  return errors;
}

/** Serialises provider publishes for the rest of the transaction, so a check-then-publish cannot race another. */
export async function lockProviderIds(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${PROVIDER_IDS_LOCK})`);
}
