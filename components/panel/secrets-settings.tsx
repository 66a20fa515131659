// The secondary cards of an installation's secrets page (app/panel/extensions/[installationId]/settings/secrets),
// as server components: a runtime token for the extension's developer, and the webhook and OAuth callback
// URLs to paste into a provider's console. The page decides who sees them; actions come in from it.
import { TestTokenButton } from "@/components/panel/test-token-button";
import { CopyField } from "@/components/publisher/copy-field";
import type { FormAction } from "@/lib/http/form-state";
import { Card } from "@/components/ui/card";

/** For a member of the extension's publisher who administers the organization: a short-lived runtime token. */
export function DeveloperCard({
  installationId,
  extensionName,
  testTokenAction,
}: {
  installationId: string;
  extensionName: string;
  testTokenAction: FormAction;
}) {
  return (
    <Card className="mt-6">
      <h2 className="font-semibold">Developer</h2>
      <p className="mt-1 text-sm text-slate-600">
        A runtime token bound to this installation and to you, for running {extensionName} locally against these secrets (LATCHKEY_TOKEN for
        the SDK). It expires within 15 minutes.
      </p>
      <TestTokenButton installationId={installationId} action={testTokenAction} />
    </Card>
  );
}

/** A URL to copy: `id` is unique on the page, `label` names it (e.g. "POST /hooks/x", "OAuth callback (slack)"). */
export interface EndpointUrl {
  id: string;
  label: string;
  url: string;
}

export function EndpointUrlsCard({ urls }: { urls: EndpointUrl[] }) {
  return (
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
  );
}
