"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "./form-state";

export function PublishForm({ action, extensionId, version }: { action: FormAction; extensionId: string; version: string }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending}>
      <input type="hidden" name="extensionId" value={extensionId} />
      <Button type="submit" disabled={pending}>
        {pending ? "Publishing…" : `Publish ${version}`}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
