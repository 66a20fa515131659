import Link from "next/link";
import { checkStepAction } from "@/app/panel/actions/check";
import { CheckStepButton } from "@/components/panel/check-step-button";
import { notFound } from "next/navigation";
import { panelDeps } from "@/app/panel/actions/panel-action";
import { setupStepAction } from "@/app/panel/actions/setup";
import { uiSource } from "@/app/publisher/actions/publisher-action";
import { Markdown } from "@/components/panel/markdown";
import { authorizeHref } from "@/components/panel/oauth-link";
import { OAuthRequirementBox } from "@/components/panel/oauth-requirement-box";
import { SetupStepForm, type StepFieldView } from "@/components/panel/setup-step-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import type { UserActor } from "@/lib/auth/actor";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { ExtensionError } from "@/lib/extensions/errors";
import { loadWizard, parseMarkdown } from "@/lib/extensions/setup-wizard";
import { getOAuth, OAuthError } from "@/lib/oauth";
import type { OAuthRequirement } from "@/lib/manifest/oauth";

export const metadata = { title: "Setup" };

/** The `requires.oauth_provider` box: planned like the Connect page, so both agree on what is missing. */
async function RequirementBox({
  actor,
  installationId,
  requirement,
}: {
  actor: UserActor;
  installationId: string;
  requirement: OAuthRequirement;
}) {
  let plan;
  try {
    plan = await (await getOAuth()).plan({ providerId: requirement.provider, installationId, fieldKey: "", scopes: [] }, actor);
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    plan = { error: error.message };
  }
  return (
    <OAuthRequirementBox
      providerId={requirement.provider}
      installationId={installationId}
      optional={requirement.onMissing === "ignore"}
      plan={plan}
    />
  );
}

export default async function SetupWizardPage({
  params,
  searchParams,
}: {
  params: Promise<{ installationId: string }>;
  searchParams: Promise<{ installed?: string; oauth?: string; provider?: string }>;
}) {
  const { installationId } = await params;
  const { installed, oauth, provider } = await searchParams;
  const actor = await guardPage(requireUser, `/panel/extensions/${installationId}/setup`);
  let wizard;
  try {
    wizard = await loadWizard(await panelDeps(), { actor, source: await uiSource() }, installationId);
  } catch (error) {
    if (error instanceof ExtensionError && error.code === "not_found") notFound();
    throw error;
  }
  const { steps, current } = wizard;
  // The callback names the provider by id; say its name as the Connections list does.
  const connectedName =
    oauth === "connected" && provider
      ? ((await (await getOAuth()).list(actor)).find((c) => c.providerId === provider)?.providerName ?? provider)
      : null;
  const step = steps[current];
  const connectBox = wizard.oauth ? <RequirementBox actor={actor} installationId={installationId} requirement={wizard.oauth} /> : null;
  const back = (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/panel?org=${wizard.org.slug}`} className="text-brand-700 hover:underline">
          ← {wizard.org.name}
        </Link>
      </p>
      {installed ? (
        <p role="status" className="mb-2 text-sm text-emerald-700">
          Installed {wizard.extension.name} in {wizard.org.name}.
        </p>
      ) : null}
      {/* The OAuth callback comes back here with ?oauth=connected&provider=<id> after a setup field's Connect. */}
      {connectedName ? (
        <p role="status" className="mb-2 text-sm text-emerald-700">
          Connected {connectedName}.
        </p>
      ) : null}
    </>
  );
  if (steps.length === 0 || !step) {
    return (
      <>
        {back}
        <PageHeader title={`${wizard.extension.name} · Setup`} />
        {connectBox}
        <Card>
          {steps.length === 0
            ? connectBox
              ? "Connecting is all there is to set up."
              : "This extension has no setup steps."
            : "Setup is complete."}{" "}
          <Link href={`/panel/extensions/${installationId}/settings/secrets`} className="text-brand-700 underline">
            Manage its secrets
          </Link>
          .
        </Card>
      </>
    );
  }
  const setupPath = `/panel/extensions/${installationId}/setup`;
  // An OAuth field saving to an org.* secret connects the organization: only its owners and admins may.
  const mayConnect = (ref: string | null) => !ref?.startsWith("org.") || wizard.org.role !== "member";
  const fields: StepFieldView[] = step.fields.map((f) =>
    f.kind === "secret"
      ? {
          ...f,
          isSet: f.ref ? wizard.setRefs.has(f.ref) : false,
          connectHref:
            f.oauthProvider && mayConnect(f.ref)
              ? authorizeHref(f.oauthProvider, { installation: installationId, field: f.key, return_to: setupPath })
              : null,
        }
      : { ...f, value: wizard.settings[f.key] ?? f.defaultValue ?? "" },
  );
  return (
    <>
      {back}
      <PageHeader title={`${wizard.extension.name} · Setup`} description={`Step ${current + 1} of ${steps.length}`} />
      {connectBox}
      <div
        role="progressbar"
        aria-label="Setup progress"
        aria-valuemin={1}
        aria-valuemax={steps.length}
        aria-valuenow={current + 1}
        className="mb-4 flex h-2 overflow-hidden rounded-full bg-slate-200"
      >
        {/* One segment per step: a width in a style attribute would be refused by the Content-Security-Policy. */}
        {steps.map((_, i) => (
          <div key={i} className={i <= current ? "h-full flex-1 bg-brand-600" : "h-full flex-1"} />
        ))}
      </div>
      <Card>
        <h2 className="text-lg font-semibold text-slate-900">
          {step.title} {step.optional ? <span className="text-sm font-normal text-slate-500">(optional)</span> : null}
        </h2>
        {step.description ? <p className="mt-1 text-sm text-slate-600">{step.description}</p> : null}
        <div className="mt-4">
          {/* Its own form, beside (not inside) the step's form. */}
          {step.kind === "test" ? (
            <CheckStepButton installationId={installationId} stepIndex={current} endpoint={step.endpoint} action={checkStepAction} />
          ) : null}
          <SetupStepForm
            key={current}
            installationId={installationId}
            stepIndex={current}
            optional={step.optional}
            isFirst={current === 0}
            isLast={current === steps.length - 1}
            fields={fields}
            action={setupStepAction}
          >
            {step.kind === "info" ? <Markdown paragraphs={parseMarkdown(step.markdown ?? "")} /> : null}
          </SetupStepForm>
        </div>
      </Card>
    </>
  );
}
