"use client";

import { useActionState, useEffect, useRef } from "react";
import { FieldError, FormMessage } from "@/components/publisher/form-message";
import { inputClass, labelClass } from "@/components/publisher/field-styles";
import { ConfirmDeleteForm, type ActionControl } from "@/components/publisher/confirm-delete-form";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";

export interface SecretRowView {
  ref: string;
  name: string;
  /** The manifest's words for it (a label made from the name when it declares none). */
  label: string;
  scope: "org" | "user";
  description: string;
  required: boolean;
  writeMode: "user" | "extension" | "both";
  maxBytes: number;
  rotationHintDays: number | null;
  isSet: boolean;
  lastReadAt: string | null;
  lastChangedAt: string | null;
  rotationDue: boolean;
  canWrite: boolean;
  readOnlyReason: string | null;
}

/**
 * One declared secret: its label and description (the `scope.name` key in small type for developers),
 * its status and, for those who may change it, Set value / Rotate / Delete. A deletion's outcome is shown
 * on the row itself, since the Delete form goes away with the value.
 */
export function SecretRow({
  installationId,
  secret: s,
  actions,
}: {
  installationId: string;
  secret: SecretRowView;
  actions: { save: FormAction; remove: FormAction };
}) {
  const id = `secret-${s.scope}-${s.name}`;
  const removal = useActionState(actions.remove, initialFormState);
  const [removed] = removal;
  return (
    <li className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200" aria-labelledby={`${id}-name`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={`${id}-name`} className="font-semibold text-slate-900">
            {s.label}
          </h2>
          <p className="text-xs text-slate-500">
            {s.scope === "org" ? "Organization secret" : "Your secret"} · <span className="break-all font-mono">{s.ref}</span>
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {s.isSet ? <Badge tone="success">Set</Badge> : <Badge tone="neutral">Not set</Badge>}
          {s.required ? <Badge tone="brand">Required</Badge> : null}
          {s.writeMode === "extension" ? <Badge>extension-write only</Badge> : null}
          {s.rotationDue ? <Badge tone="warning">Rotation due</Badge> : null}
        </div>
      </div>
      {s.description ? <p className="mt-2 text-sm text-slate-600">{s.description}</p> : null}
      <p className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
        <span>Last read: {s.lastReadAt ? <RelativeTime value={s.lastReadAt} /> : "never"}</span>
        {s.lastChangedAt ? (
          <span>
            Last changed: <RelativeTime value={s.lastChangedAt} />
          </span>
        ) : null}
        {s.rotationHintDays ? <span>Recommended rotation: every {s.rotationHintDays} days</span> : null}
      </p>
      {s.canWrite ? (
        <>
          {/* Re-mounted after a delete, so an earlier "Saved …" does not stand beside "Not set". */}
          <SaveForm key={removed.attempt ?? 0} installationId={installationId} secret={s} action={actions.save} />
          {s.isSet ? <DeleteForm installationId={installationId} secret={s} action={actions.remove} control={removal} /> : null}
          {/* Once deleted the row reads "Not set"; until a new value is saved it also says what happened. */}
          {!s.isSet || !removed.ok ? <FormMessage state={removed} /> : null}
        </>
      ) : (
        <p className="mt-3 rounded-md bg-slate-50 px-3 py-2 text-sm text-slate-600 ring-1 ring-slate-200">Read-only: {s.readOnlyReason}</p>
      )}
    </li>
  );
}

function SaveForm({ installationId, secret: s, action }: { installationId: string; secret: SecretRowView; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const inputId = `${s.scope}-${s.name}-value`;
  // A refused value: focus goes back to the (re-mounted) field, beside its error.
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.field === "value") input.current?.focus();
  }, [state]);
  return (
    <>
      {/* Re-mounted (closed) after a successful save; kept open to show an error beside the field. */}
      <details key={state.ok ? state.attempt : "editing"} className="mt-3" open={state.field === "value" || undefined}>
        <summary className="inline-flex min-h-10 cursor-pointer items-center rounded-md px-3 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50">
          {s.isSet ? "Rotate" : "Set value"}
        </summary>
        <form action={formAction} className="mt-3" aria-busy={pending}>
          <input type="hidden" name="installationId" value={installationId} />
          <input type="hidden" name="ref" value={s.ref} />
          <label htmlFor={inputId} className={labelClass}>
            {s.isSet ? `New value for ${s.label}` : `Value for ${s.label}`}
          </label>
          <div className="mt-1 flex flex-col gap-2 sm:flex-row">
            <input
              key={state.attempt}
              ref={input}
              id={inputId}
              name="value"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              required
              aria-invalid={state.field === "value"}
              aria-describedby={`${inputId}-hint ${inputId}-error`}
              className={inputClass}
            />
            <Button type="submit" disabled={pending}>
              {pending ? "Saving…" : s.isSet ? "Save new value" : "Save"}
            </Button>
          </div>
          <p id={`${inputId}-hint`} className="mt-1 text-xs text-slate-500">
            At most {s.maxBytes} bytes.
          </p>
          <FieldError state={state} field="value" id={`${inputId}-error`} />
        </form>
      </details>
      <FormMessage state={state} />
    </>
  );
}

function DeleteForm({
  installationId,
  secret: s,
  action,
  control,
}: {
  installationId: string;
  secret: SecretRowView;
  action: FormAction;
  control: ActionControl;
}) {
  return (
    <ConfirmDeleteForm
      action={action}
      control={control}
      fields={{ installationId, ref: s.ref }}
      warning={`Delete the stored ${s.label}? The extension can no longer read it, and this cannot be undone.`}
      label={`Delete ${s.label}`}
    />
  );
}
