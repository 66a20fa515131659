"use client";

import { useActionState, useEffect, useRef } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import type { PartnerCredentialRow } from "@/lib/extensions/partner-credentials";
import { ConfirmDeleteForm, type ActionControl } from "./confirm-delete-form";
import { FieldError, FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { inputClass, labelClass } from "./field-styles";

/** A declared `ext.*` credential as the row shows it: when it was last set (ISO 8601) and by whom (a name). */
export type CredentialView = Pick<
  PartnerCredentialRow,
  "key" | "label" | "type" | "required" | "secret" | "description" | "helpUrl" | "isSet"
> & {
  lastSetAt: string | null;
  lastSetBy: string | null;
};

interface Actions {
  save: FormAction;
  remove: FormAction;
  reveal: FormAction;
}

/**
 * One declared `ext.*` credential: what it is, whether it is configured (an optional one that is not set
 * is neutral, not "Missing"), and its Save/Rotate/Delete forms. A deletion's outcome shows on the row,
 * since the Delete form goes away with the value.
 */
export function CredentialRow({ extensionId, credential, actions }: { extensionId: string; credential: CredentialView; actions: Actions }) {
  const c = credential;
  const id = `cred-${c.key}`;
  const removal = useActionState(actions.remove, initialFormState);
  const [removed] = removal;
  return (
    <li className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={`${id}-label`} className="font-semibold text-slate-900">
            {c.label}
          </h2>
          <p className="mt-0.5 break-all font-mono text-xs text-slate-500">
            ext.{c.key}
            {c.type ? ` · ${c.type}` : ""}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          {c.required ? <Badge tone="brand">Required</Badge> : <Badge>Optional</Badge>}
          {c.isSet ? (
            <Badge tone="success">Configured</Badge>
          ) : c.required ? (
            <Badge tone="warning">Missing</Badge>
          ) : (
            <Badge tone="neutral">Not set</Badge>
          )}
        </div>
      </div>
      {c.description ? <p className="mt-2 text-sm text-slate-600">{c.description}</p> : null}
      {c.helpUrl ? (
        <p className="mt-1 text-sm">
          <a href={c.helpUrl} target="_blank" rel="noopener noreferrer" className="font-medium text-brand-700 hover:underline">
            Where to find it<span className="sr-only"> (opens in a new tab)</span> ↗
          </a>
        </p>
      ) : null}
      {c.isSet ? <StoredValue extensionId={extensionId} credential={c} reveal={actions.reveal} /> : null}
      {/* Re-mounted after a delete, so an earlier "Saved …" does not stand beside "Missing". */}
      <SaveForm key={removed.attempt ?? 0} extensionId={extensionId} credential={c} action={actions.save} />
      {c.isSet ? <DeleteForm extensionId={extensionId} credential={c} action={actions.remove} control={removal} /> : null}
      {!c.isSet || !removed.ok ? <FormMessage state={removed} /> : null}
    </li>
  );
}

function StoredValue({ extensionId, credential: c, reveal }: { extensionId: string; credential: CredentialView; reveal: FormAction }) {
  const [state, formAction, pending] = useActionState(reveal, initialFormState);
  // "Show" goes away once the value is shown: focus moves to the value instead of the page body.
  const shown = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (state.value !== undefined) shown.current?.focus();
  }, [state]);
  return (
    <div className="mt-3 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      <span ref={shown} tabIndex={-1} className="break-all font-mono tracking-widest text-slate-700" aria-label={`${c.label} value`}>
        {state.value ?? "••••••••••••"}
      </span>
      <span className="text-slate-500">
        Last set {c.lastSetAt ? <RelativeTime value={c.lastSetAt} /> : null}
        {c.lastSetBy ? ` by ${c.lastSetBy}` : ""}
      </span>
      {!c.secret && state.value === undefined ? (
        <form action={formAction}>
          <input type="hidden" name="extensionId" value={extensionId} />
          <input type="hidden" name="key" value={c.key} />
          <Button type="submit" variant="ghost" disabled={pending} className="min-h-8 px-2 py-1">
            {pending ? "Loading…" : "Show"}
          </Button>
        </form>
      ) : null}
      <FormMessage state={{ ...state, ok: false }} focus={false} />
    </div>
  );
}

function SaveForm({ extensionId, credential: c, action }: { extensionId: string; credential: CredentialView; action: FormAction }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const mode = c.isSet ? "rotate" : "set";
  const inputId = `${c.key}-value`;
  // A refused value: focus goes back to the (re-mounted) field, beside its error.
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state.field === "value") input.current?.focus();
  }, [state]);
  return (
    <form action={formAction} className="mt-4" aria-busy={pending}>
      <input type="hidden" name="extensionId" value={extensionId} />
      <input type="hidden" name="key" value={c.key} />
      <input type="hidden" name="mode" value={mode} />
      <label htmlFor={inputId} className={labelClass}>
        {c.isSet ? `New value for ${c.label}` : c.label}
      </label>
      <div className="mt-1 flex flex-col gap-2 sm:flex-row">
        <input
          key={state.attempt}
          ref={input}
          id={inputId}
          name="value"
          type={c.secret ? "password" : "text"}
          autoComplete={c.secret ? "new-password" : "off"}
          spellCheck={false}
          required
          aria-invalid={state.field === "value"}
          aria-describedby={`${inputId}-error`}
          className={inputClass}
        />
        <Button type="submit" disabled={pending} variant={c.isSet ? "secondary" : "primary"}>
          {pending ? "Saving…" : c.isSet ? "Rotate" : "Save"}
        </Button>
      </div>
      <FieldError state={state} field="value" id={`${inputId}-error`} />
      <FormMessage state={state} />
    </form>
  );
}

function DeleteForm({
  extensionId,
  credential: c,
  action,
  control,
}: {
  extensionId: string;
  credential: CredentialView;
  action: FormAction;
  control: ActionControl;
}) {
  return (
    <ConfirmDeleteForm
      action={action}
      control={control}
      fields={{ extensionId, key: c.key }}
      warning={`Delete ${c.label}? Installations cannot start new OAuth flows until you set it again${
        c.required ? ", and the extension cannot be published without it" : ""
      }.`}
      label={`Delete ${c.label}`}
    />
  );
}
