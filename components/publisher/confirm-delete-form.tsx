"use client";

import { useActionState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "./form-message";
import { initialFormState, type FormAction, type FormState } from "@/lib/http/form-state";

/** What `useActionState(action)` returns, for a parent that shows the outcome itself. */
export type ActionControl = [state: FormState, formAction: (formData: FormData) => void, pending: boolean];

/**
 * "Delete…" behind a disclosure: the confirmation text and a danger button, posting `confirm=yes` with the
 * given hidden fields. Works without JavaScript. A parent whose row changes once the thing is deleted
 * (so this form unmounts) passes `control` from its own `useActionState` and shows the outcome itself,
 * where it stays visible; otherwise the outcome shows here.
 */
export function ConfirmDeleteForm({
  action,
  control,
  fields,
  warning,
  label,
  summary = "Delete…",
  pendingLabel = "Deleting…",
}: {
  action: FormAction;
  control?: ActionControl;
  fields: Record<string, string>;
  warning: ReactNode;
  label: string;
  summary?: string;
  pendingLabel?: string;
}) {
  const own = useActionState(action, initialFormState);
  const [state, formAction, pending] = control ?? own;
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer font-medium text-red-700">{summary}</summary>
      <form action={formAction} className="mt-2 rounded-md bg-red-50 p-3 ring-1 ring-red-200" aria-busy={pending}>
        {Object.entries(fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <input type="hidden" name="confirm" value="yes" />
        <p className="text-red-800">{warning}</p>
        <Button type="submit" variant="danger" disabled={pending} className="mt-2">
          {pending ? pendingLabel : label}
        </Button>
        {control ? null : <FormMessage state={state} />}
      </form>
    </details>
  );
}
