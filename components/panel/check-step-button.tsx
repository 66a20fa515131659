"use client";

import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Button } from "@/components/ui/button";

/** "Run the check" for a setup wizard's test step: the extension's answer, shown as text. */
export function CheckStepButton({
  installationId,
  stepIndex,
  endpoint,
  action,
}: {
  installationId: string;
  stepIndex: number;
  endpoint: string | null;
  action: FormAction;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending} className="mb-4">
      <input type="hidden" name="installationId" value={installationId} />
      <input type="hidden" name="stepIndex" value={stepIndex} />
      <p className="text-sm text-slate-600">
        Calls the extension&apos;s check endpoint {endpoint ? <code className="font-mono text-xs">{endpoint}</code> : null} and shows its
        answer.
      </p>
      <Button type="submit" variant="secondary" disabled={pending} className="mt-2">
        {pending ? "Checking…" : "Run the check"}
      </Button>
      <FormMessage state={state} />
      {state.output ? (
        <pre className="mt-2 max-h-48 overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-50 p-2 font-mono text-xs text-slate-700 ring-1 ring-slate-200">
          {state.output}
        </pre>
      ) : null}
    </form>
  );
}
