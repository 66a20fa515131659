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
import { SetupDone, SetupNotices, SetupProgress } from "@/components/panel/setup-wizard";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import type { UserActor } from "@/lib/auth/actor";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { ExtensionError } from "@/lib/extensions/errors";
import { loadWizard, parseMarkdown, type WizardStep } from "@/lib/extensions/setup-wizard";
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

type Wizard = Awaited<ReturnType<typeof loadWizard>>;

async function loadWizardOrNotFound(actor: UserActor, installationId: string): Promise<Wizard> {
  try {
    return await loadWizard(await panelDeps(), { actor, source: await uiSource() }, installationId);
  } catch (error) {
    if (error instanceof ExtensionError && error.code === "not_found") notFound();
    throw error;
  }
}

/** The callback names the provider by id; say its name as the Connections list does. */
async function connectedProviderName(actor: UserActor, provider: string): Promise<string> {
  return (await (await getOAuth()).list(actor)).find((c) => c.providerId === provider)?.providerName ?? provider;
}

/** The step's fields with what this person sees: whether each secret is set, where to connect, each setting's value. */
function stepFieldViews(wizard: Wizard, step: WizardStep, installationId: string): StepFieldView[] {
  const setupPath = `/panel/extensions/${installationId}/setup`;
  // An OAuth field saving to an org.* secret connects the organization: only its owners and admins may.
  const mayConnect = (ref: string | null) => !ref?.startsWith("org.") || wizard.org.role !== "member";
  return step.fields.map((f) =>
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
}

/** The current step: its title and description, a test step's check, and its form. */
function StepCard({ wizard, step, installationId }: { wizard: Wizard; step: WizardStep; installationId: string }) {
  const { steps, current } = wizard;
  return (
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
          fields={stepFieldViews(wizard, step, installationId)}
          action={setupStepAction}
        >
          {step.kind === "info" ? <Markdown paragraphs={parseMarkdown(step.markdown ?? "")} /> : null}
        </SetupStepForm>
      </div>
    </Card>
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
  const wizard = await loadWizardOrNotFound(actor, installationId);
  const { steps, current } = wizard;
  const connectedName = oauth === "connected" && provider ? await connectedProviderName(actor, provider) : null;
  const step = steps[current];
  const connectBox = wizard.oauth ? <RequirementBox actor={actor} installationId={installationId} requirement={wizard.oauth} /> : null;
  const back = (
    <SetupNotices org={wizard.org} extensionName={wizard.extension.name} installed={Boolean(installed)} connectedName={connectedName} />
  );
  if (steps.length === 0 || !step) {
    return (
      <>
        {back}
        <PageHeader title={`${wizard.extension.name} · Setup`} />
        {connectBox}
        <SetupDone installationId={installationId} hasSteps={steps.length > 0} hasConnect={connectBox !== null} />
      </>
    );
  }
  return (
    <>
      {back}
      <PageHeader title={`${wizard.extension.name} · Setup`} description={`Step ${current + 1} of ${steps.length}`} />
      {connectBox}
      <SetupProgress current={current} total={steps.length} />
      <StepCard wizard={wizard} step={step} installationId={installationId} />
    </>
  );
}
