"use client";

import { useActionState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "./form-state";

/**
 * "Delete…" behind a disclosure: the confirmation text and a danger button, posting `confirm=yes` with the
 * given hidden fields. Works without JavaScript.
 */
export function ConfirmDeleteForm({
  action,
  fields,
  warning,
  label,
  summary = "Delete…",
  pendingLabel = "Deleting…",
}: {
  action: FormAction;
  fields: Record<string, string>;
  warning: ReactNode;
  label: string;
  summary?: string;
  pendingLabel?: string;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
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
        <FormMessage state={state} />
      </form>
    </details>
  );
}
