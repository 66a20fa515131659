import Link from "next/link";
import { notFound } from "next/navigation";
import { panelDeps } from "@/app/panel/actions/run";
import { setupStepAction } from "@/app/panel/actions/setup";
import { uiSource } from "@/app/publisher/actions/run";
import { Markdown } from "@/components/panel/markdown";
import { SetupStepForm, type StepFieldView } from "@/components/panel/setup-step-form";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { ExtensionError } from "@/lib/extensions/errors";
import { loadWizard, parseMarkdown } from "@/lib/extensions/setup-wizard";

export const metadata = { title: "Setup" };

export default async function SetupWizardPage({
  params,
  searchParams,
}: {
  params: Promise<{ installationId: string }>;
  searchParams: Promise<{ installed?: string }>;
}) {
  const { installationId } = await params;
  const { installed } = await searchParams;
  const actor = await guardPage(requireUser, `/panel/extensions/${installationId}/setup`);
  let wizard;
  try {
    wizard = await loadWizard(await panelDeps(), { actor, source: await uiSource() }, installationId);
  } catch (error) {
    if (error instanceof ExtensionError && error.code === "not_found") notFound();
    throw error;
  }
  const { steps, current } = wizard;
  const step = steps[current];
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
    </>
  );
  if (steps.length === 0 || !step) {
    return (
      <>
        {back}
        <PageHeader title={`${wizard.extension.name} · Setup`} />
        <Card>
          {steps.length === 0 ? "This extension has no setup steps." : "Setup is complete."}{" "}
          <Link href={`/panel/extensions/${installationId}/settings/secrets`} className="text-brand-700 underline">
            Manage its secrets
          </Link>
          .
        </Card>
      </>
    );
  }
  const fields: StepFieldView[] = step.fields.map((f) =>
    f.kind === "secret"
      ? { ...f, isSet: f.ref ? wizard.setRefs.has(f.ref) : false }
      : { ...f, value: wizard.settings[f.key] ?? f.defaultValue ?? "" },
  );
  return (
    <>
      {back}
      <PageHeader title={`${wizard.extension.name} · Setup`} description={`Step ${current + 1} of ${steps.length}`} />
      <div
        role="progressbar"
        aria-label="Setup progress"
        aria-valuemin={1}
        aria-valuemax={steps.length}
        aria-valuenow={current + 1}
        className="mb-4 h-2 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full bg-brand-600" style={{ width: `${((current + 1) / steps.length) * 100}%` }} />
      </div>
      <Card>
        <h2 className="text-lg font-semibold text-slate-900">
          {step.title} {step.optional ? <span className="text-sm font-normal text-slate-500">(optional)</span> : null}
        </h2>
        {step.description ? <p className="mt-1 text-sm text-slate-600">{step.description}</p> : null}
        <div className="mt-4">
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
            {step.kind === "test" ? (
              <p className="text-sm text-slate-600" role="status">
                Latchkey has no address to reach this extension&apos;s check endpoint
                {step.endpoint ? <code className="mx-1 font-mono text-xs">{step.endpoint}</code> : null}
                from the panel yet, so there is nothing to check here. Continue or skip this step.
              </p>
            ) : null}
          </SetupStepForm>
        </div>
      </Card>
    </>
  );
}
