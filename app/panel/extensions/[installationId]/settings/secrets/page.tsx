import Link from "next/link";
import { notFound } from "next/navigation";
import { deleteSecretAction } from "@/app/panel/actions/delete-secret";
import { saveSecretAction } from "@/app/panel/actions/save-secret";
import { panelDeps } from "@/app/panel/actions/panel-action";
import { SecretRow } from "@/components/panel/secret-row";
import { TestTokenButton } from "@/components/panel/test-token-button";
import { testTokenAction } from "@/app/panel/actions/test-token";
import { CopyField } from "@/components/publisher/copy-field";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { ExtensionError } from "@/lib/extensions/errors";
import { listPanelSecrets } from "@/lib/extensions/panel-secrets";
import { uiSource } from "@/app/publisher/actions/publisher-action";

export const metadata = { title: "Secrets" };

export default async function SecretsSettingsPage({
  params,
  searchParams,
}: {
  params: Promise<{ installationId: string }>;
  searchParams: Promise<{ installed?: string }>;
}) {
  const { installationId } = await params;
  const { installed } = await searchParams;
  const actor = await guardPage(requireUser, `/panel/extensions/${installationId}/settings/secrets`);
  let view;
  try {
    view = await listPanelSecrets(await panelDeps(), { actor, source: await uiSource() }, installationId);
  } catch (error) {
    if (error instanceof ExtensionError && error.code === "not_found") notFound();
    throw error;
  }
  const urls = [
    ...view.webhooks.map((w) => ({ id: `webhook-${w.path}`, label: `${w.method} ${w.path}`, url: w.url })),
    ...view.oauthCallbacks.map((c) => ({ id: `callback-${c.provider}`, label: `OAuth callback (${c.provider})`, url: c.uri })),
  ];
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/panel?org=${view.org.slug}`} className="text-brand-700 hover:underline">
          ← {view.org.name}
        </Link>
      </p>
      {/* Installing an extension without setup steps lands here rather than on an empty wizard. */}
      {installed ? (
        <p role="status" className="mb-2 text-sm text-emerald-700">
          Installed {view.extension.name} in {view.org.name}.
        </p>
      ) : null}
      <PageHeader
        title={`${view.extension.name} · Secrets`}
        description="Values are encrypted as soon as you save them and are never shown again. The extension reads them only while it runs."
      />
      {view.secrets.length === 0 ? (
        <Card>This extension declares no secrets for you to set.</Card>
      ) : (
        <ul className="space-y-4" aria-label="Secrets">
          {view.secrets.map((s) => (
            <SecretRow
              key={s.ref}
              installationId={view.installation.id}
              secret={{
                ...s,
                lastReadAt: s.lastReadAt?.toISOString() ?? null,
                lastChangedAt: s.lastChangedAt?.toISOString() ?? null,
              }}
              actions={{ save: saveSecretAction, remove: deleteSecretAction }}
            />
          ))}
        </ul>
      )}
      {actor.publishers.some((p) => p.id === view.extension.publisherId) && view.org.role !== "member" ? (
        <Card className="mt-6">
          <h2 className="font-semibold">Developer</h2>
          <p className="mt-1 text-sm text-slate-600">
            A runtime token bound to this installation and to you, for running {view.extension.name} locally against these secrets
            (LATCHKEY_TOKEN for the SDK). It expires within 15 minutes.
          </p>
          <TestTokenButton installationId={view.installation.id} action={testTokenAction} />
        </Card>
      ) : null}
      {urls.length > 0 ? (
        <Card className="mt-6">
          <h2 className="font-semibold">Webhook and callback URLs</h2>
          <p className="mt-1 text-sm text-slate-600">Paste these into the provider&apos;s developer console.</p>
          <dl className="mt-3 space-y-3">
            {urls.map((u) => (
              <div key={u.id}>
                <dt className="text-sm font-medium text-slate-800">{u.label}</dt>
                <dd className="mt-1">
                  <CopyField id={u.id.replace(/[^a-z0-9-]/gi, "-")} label={u.label} value={u.url} />
                </dd>
              </div>
            ))}
          </dl>
        </Card>
      ) : null}
    </>
  );
}
