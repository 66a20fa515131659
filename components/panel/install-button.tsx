"use client";
// The catalogue's Install button for org owners and admins; a refusal (e.g. a missing OAuth provider) shows beside it.
import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Button } from "@/components/ui/button";

export function InstallButton({
  orgId,
  extensionId,
  name,
  action,
}: {
  orgId: string;
  extensionId: string;
  name: string;
  action: FormAction;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending} className="sm:text-right">
      <input type="hidden" name="orgId" value={orgId} />
      <input type="hidden" name="extensionId" value={extensionId} />
      <Button type="submit" disabled={pending} aria-label={`Install ${name}`}>
        {pending ? "Installing…" : "Install"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
