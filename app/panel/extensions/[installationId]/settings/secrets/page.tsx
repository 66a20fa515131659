import Link from "next/link";
import { notFound } from "next/navigation";
import { deleteSecretAction } from "@/app/panel/actions/delete-secret";
import { saveSecretAction } from "@/app/panel/actions/save-secret";
import { panelDeps } from "@/app/panel/actions/panel-action";
import { SecretRow } from "@/components/panel/secret-row";
import { DeveloperCard, EndpointUrlsCard } from "@/components/panel/secrets-settings";
import { testTokenAction } from "@/app/panel/actions/test-token";
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
        <DeveloperCard installationId={view.installation.id} extensionName={view.extension.name} testTokenAction={testTokenAction} />
      ) : null}
      {urls.length > 0 ? <EndpointUrlsCard urls={urls} /> : null}
    </>
  );
}
