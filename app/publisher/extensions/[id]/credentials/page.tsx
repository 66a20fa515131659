import Link from "next/link";
import { CopyField } from "@/components/publisher/copy-field";
import { CredentialRow, type CredentialView } from "@/components/publisher/credential-row";
import { ButtonLink } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { env } from "@/lib/env";
import { getLatestVersion } from "@/lib/extensions/access";
import { listPartnerCredentials } from "@/lib/extensions/partner-credentials";
import { redirectUrisFor } from "@/lib/extensions/redirect-uris";
import { deleteCredentialAction } from "../../../actions/delete-credential";
import { revealCredentialAction } from "../../../actions/reveal-credential";
import { publisherDeps, uiSource } from "@/app/publisher/actions/publisher-action";
import { saveCredentialAction } from "../../../actions/save-credential";
import { loadOwnExtension } from "../../../load-extension";

export const metadata = { title: "Manage Credentials" };

export default async function CredentialsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { actor, db, extension } = await loadOwnExtension(id, `/publisher/extensions/${id}/credentials`);
  const { credentials } = await listPartnerCredentials(await publisherDeps(), { actor, source: await uiSource() }, extension.id);
  const version = await getLatestVersion(db, extension.id);
  const redirects = version ? redirectUrisFor(version.manifest, env().LATCHKEY_URL) : [];
  const views: CredentialView[] = credentials.map((c) => ({
    key: c.key,
    label: c.label,
    type: c.type,
    required: c.required,
    secret: c.secret,
    description: c.description,
    helpUrl: c.helpUrl,
    isSet: c.isSet,
    lastSetAt: c.lastSetAt?.toISOString() ?? null,
    lastSetBy: c.lastSetBy?.name ?? null,
  }));
  const missing = credentials.filter((c) => c.required && !c.isSet).length;
  const base = `/publisher/extensions/${extension.id}`;
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={base} className="text-brand-700 hover:underline">
          ← {extension.name}
        </Link>
      </p>
      <PageHeader
        title="Manage Credentials"
        description={`Partner credentials (ext.*) of ${extension.name}, from the manifest of version ${version?.version ?? "—"}.`}
        actions={
          <ButtonLink href={`${base}/credentials/audit`} variant="secondary">
            Audit log
          </ButtonLink>
        }
      />
      <p className="mb-4 text-sm text-slate-600" role="status">
        {missing === 0
          ? "Every required credential is configured."
          : `${missing} required ${missing === 1 ? "credential is" : "credentials are"} missing.`}{" "}
        Values are encrypted at rest; secret values are never shown again after saving.
      </p>
      {redirects.length > 0 ? (
        <Card className="mb-6" aria-labelledby="redirect-heading">
          <h2 id="redirect-heading" className="font-semibold">
            OAuth redirect URI
          </h2>
          <p className="mb-3 mt-1 text-sm text-slate-600">Register this redirect URI in the provider&apos;s OAuth app settings.</p>
          <div className="space-y-2">
            {redirects.map((r) => (
              <div key={r.provider}>
                <p className="mb-1 text-xs font-medium uppercase tracking-wide text-slate-500">{r.provider}</p>
                <CopyField id={`redirect-${r.provider}`} label={`${r.provider} redirect URI`} value={r.uri} />
              </div>
            ))}
          </div>
        </Card>
      ) : null}
      {views.length === 0 ? (
        <EmptyState title="No partner credentials declared">
          Declare them under <code>credentials.ext</code> in the manifest.
        </EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Partner credentials">
          {views.map((c) => (
            <CredentialRow
              key={c.key}
              extensionId={extension.id}
              credential={c}
              actions={{ save: saveCredentialAction, remove: deleteCredentialAction, reveal: revealCredentialAction }}
            />
          ))}
        </ul>
      )}
    </>
  );
}
