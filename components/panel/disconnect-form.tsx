"use client";
// "Disconnect…" behind a disclosure, so it takes a deliberate second click; works without JavaScript.
// The result (with the provider's revocation note, if any) shows beside the button.
import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Button } from "@/components/ui/button";

export function DisconnectForm({
  connectionId,
  providerName,
  active,
  action,
}: {
  connectionId: string;
  providerName: string;
  /** Only an active connection can be disconnected; once it is not, only the last result is shown. */
  active: boolean;
  action: FormAction;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  // Stays mounted while the page re-renders the connection as revoked, so the result (with the
  // provider's revocation note) is still there to read.
  if (state.ok) return <FormMessage state={state} />;
  if (!active) return null;
  return (
    <details className="text-sm" open={state.error ? true : undefined}>
      <summary className="inline-flex min-h-10 cursor-pointer items-center rounded-md px-3 font-medium text-red-700 ring-1 ring-slate-300 hover:bg-slate-50">
        Disconnect…
      </summary>
      <form action={formAction} className="mt-2 rounded-md bg-red-50 p-3 ring-1 ring-red-200" aria-busy={pending}>
        <input type="hidden" name="connectionId" value={connectionId} />
        <input type="hidden" name="provider" value={providerName} />
        <input type="hidden" name="confirm" value="yes" />
        <p className="text-red-800">
          Disconnect {providerName}? Latchkey revokes the access at {providerName} and deletes the tokens now.
        </p>
        <Button type="submit" variant="danger" disabled={pending} className="mt-2">
          {pending ? "Disconnecting…" : `Disconnect ${providerName}`}
        </Button>
        <FormMessage state={state} />
      </form>
    </details>
  );
}
