"use client";

import { useActionState } from "react";
import { CopyField } from "@/components/publisher/copy-field";
import { FormMessage } from "@/components/publisher/form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Button } from "@/components/ui/button";

/** Mints a runtime token for local testing; the token is shown once, from the action's response. */
export function TestTokenButton({ installationId, action }: { installationId: string; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending} className="mt-3">
      <input type="hidden" name="installationId" value={installationId} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Minting…" : "Test token"}
      </Button>
      {state.ok && state.token ? (
        <div className="mt-3">
          <CopyField id="test-token" label="Runtime token" value={state.token} />
        </div>
      ) : null}
      <FormMessage state={state} />
    </form>
  );
}
