"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { CopyField } from "./copy-field";
import { FieldError, FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { inputClass, labelClass } from "./field-styles";

export function CreateTokenForm({ action, publisherId }: { action: FormAction; publisherId: string }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <div>
      <form action={formAction} className="flex flex-col gap-2 sm:flex-row sm:items-end" aria-busy={pending}>
        <input type="hidden" name="publisherId" value={publisherId} />
        <div className="min-w-0 flex-1">
          <label htmlFor="token-name" className={labelClass}>
            Token name
          </label>
          <input
            key={state.attempt}
            id="token-name"
            name="name"
            required
            maxLength={80}
            placeholder="e.g. CI deploys"
            aria-invalid={state.field === "name"}
            className={`${inputClass} mt-1`}
          />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create token"}
        </Button>
      </form>
      <FieldError state={state} field="name" id="token-name-error" />
      <FormMessage state={state} />
      {state.token ? (
        <div className="mt-3">
          <CopyField id="new-token" label="New API token" value={state.token} />
          <p className="mt-1 text-xs text-slate-500">
            Use it with <code>npx latchkey login</code>.
          </p>
        </div>
      ) : null}
    </div>
  );
}

export function RevokeTokenButton({
  action,
  publisherId,
  tokenId,
  name,
}: {
  action: FormAction;
  publisherId: string;
  tokenId: string;
  name: string;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction}>
      <input type="hidden" name="publisherId" value={publisherId} />
      <input type="hidden" name="tokenId" value={tokenId} />
      <Button type="submit" variant="secondary" disabled={pending} aria-label={`Revoke ${name}`}>
        {pending ? "Revoking…" : "Revoke"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
