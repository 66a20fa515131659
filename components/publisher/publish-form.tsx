"use client";
// Publish a draft version. When publishing is refused for missing partner credentials, the refusal keeps
// the guide's exact sentence and a link beside it goes straight to Manage Credentials.
import { useActionState } from "react";
import { Button, ButtonLink } from "@/components/ui/button";
import { FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";

export function PublishForm({ action, extensionId, version }: { action: FormAction; extensionId: string; version: string }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending}>
      <input type="hidden" name="extensionId" value={extensionId} />
      <Button type="submit" disabled={pending}>
        {pending ? "Publishing…" : `Publish ${version}`}
      </Button>
      <FormMessage state={state} />
      {state.code === "publish_blocked" && state.error?.includes("Missing required partner credentials") ? (
        <ButtonLink href={`/publisher/extensions/${extensionId}/credentials`} variant="secondary" className="mt-2">
          Go to Manage Credentials
        </ButtonLink>
      ) : null}
    </form>
  );
}
