"use client";
// "Mark all read" (or one notification read) as a small form; the outcome shows beside the button.
import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Button } from "@/components/ui/button";

export function MarkReadButton({ id, label, action }: { id: string; label: string; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending}>
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Marking…" : label}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
