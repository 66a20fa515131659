"use client";
// One setup-wizard step as a form: its fields (secrets as password inputs never filled back, settings
// as inputs or selects), a Connect link for OAuth fields (the provider's consent screen, coming back
// here), and Back / Skip / Next. Errors show beside their field, every field's at once.
import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { inputClass, labelClass } from "@/components/publisher/field-styles";
import { initialFormState, type FormAction, type FormState } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { SecretField, SettingField } from "@/lib/extensions/setup-wizard";
import { OAuthLink } from "./oauth-link";

/** A wizard field as the page hands it over: the lib's field plus what this person and installation add. */
export type StepFieldView =
  | (SecretField & {
      isSet: boolean;
      /** For an OAuth field: the authorize route to connect through, or null when this person may not connect it. */
      connectHref: string | null;
    })
  | (Omit<SettingField, "defaultValue"> & { value: string });

type SecretFieldView = Extract<StepFieldView, { kind: "secret" }>;
type SettingFieldView = Extract<StepFieldView, { kind: "setting" }>;

/** The field's error: from the every-field check, or the one error the action named this field for. */
const errorIn = (state: FormState, key: string) => state.fieldErrors?.[key] ?? (state.field === key ? state.error : undefined);

export function SetupStepForm({
  installationId,
  stepIndex,
  optional,
  isFirst,
  isLast,
  fields,
  action,
  children,
}: {
  installationId: string;
  stepIndex: number;
  optional: boolean;
  isFirst: boolean;
  isLast: boolean;
  fields: StepFieldView[];
  action: FormAction;
  children?: React.ReactNode;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-4" noValidate>
      <input type="hidden" name="installationId" value={installationId} />
      <input type="hidden" name="step" value={stepIndex} />
      {children}
      {fields.map((f) => (
        <StepField key={f.key} field={f} error={errorIn(state, f.key)} attempt={state.attempt} />
      ))}
      <FormMessage state={state} />
      {/* Next comes first so Enter in a field moves forward; row-reverse still shows Back on the left. */}
      <div className="flex flex-row-reverse flex-wrap justify-end gap-2 border-t border-slate-200 pt-4">
        <Button type="submit" name="move" value="next" disabled={pending}>
          {pending ? "Saving…" : isLast ? "Finish" : "Next"}
        </Button>
        {optional ? (
          <Button type="submit" name="move" value="skip" variant="ghost" disabled={pending}>
            Skip
          </Button>
        ) : null}
        {isFirst ? null : (
          <Button type="submit" name="move" value="back" variant="secondary" disabled={pending}>
            Back
          </Button>
        )}
      </div>
    </form>
  );
}

/** The hint under a field: its description, and for an OAuth field what connecting does or who may. */
function fieldHint(f: StepFieldView): string {
  if (f.kind !== "secret" || !f.oauthProvider) return f.description;
  return [
    f.description,
    f.connectHref
      ? `${f.oauthProvider} asks you to sign in and approve access; you come back here afterwards.`
      : `Only owners and admins of this organization can connect ${f.oauthProvider}.`,
  ]
    .filter(Boolean)
    .join(" ");
}

/** One field: its label, its control, its hint and, after a failed submission, its error. */
function StepField({ field: f, error, attempt }: { field: StepFieldView; error: string | undefined; attempt: number | undefined }) {
  const id = `field-${f.key}`;
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {f.label} {f.required ? <span className="text-xs text-slate-500">(required)</span> : null}
      </label>
      {f.kind === "secret" ? (
        <SecretControl id={id} field={f} invalid={error !== undefined} attempt={attempt} />
      ) : (
        <SettingControl id={id} field={f} invalid={error !== undefined} />
      )}
      <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
        {fieldHint(f)}
      </p>
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/**
 * A secret: a Connect link and status for an OAuth field, a password input (never filled back, cleared on
 * every attempt) when a person may type it, else a note that the extension writes it.
 */
function SecretControl({
  id,
  field: f,
  invalid,
  attempt,
}: {
  id: string;
  field: SecretFieldView;
  invalid: boolean;
  attempt: number | undefined;
}) {
  if (f.oauthProvider) {
    return (
      <div className="mt-1 flex flex-wrap items-center gap-3">
        {f.connectHref ? (
          <OAuthLink id={id} href={f.connectHref} variant={f.isSet ? "secondary" : "primary"} aria-describedby={`${id}-hint`}>
            Connect {f.oauthProvider}
          </OAuthLink>
        ) : null}
        {f.isSet ? <Badge tone="success">Connected</Badge> : <Badge tone="neutral">Not connected</Badge>}
      </div>
    );
  }
  if (!f.enterable) {
    return (
      <p id={id} className="mt-1 text-sm text-slate-600">
        The extension will write this after you authorize.
      </p>
    );
  }
  return (
    <input
      key={attempt}
      id={id}
      name={`field:${f.key}`}
      type="password"
      autoComplete="new-password"
      spellCheck={false}
      placeholder={f.isSet ? "Set · leave blank to keep" : ""}
      aria-invalid={invalid}
      aria-describedby={`${id}-hint ${id}-error`}
      className={`mt-1 ${inputClass}`}
    />
  );
}

/** A setting: a select for choices and booleans (Yes/No), else an input of the declared type. */
function SettingControl({ id, field: f, invalid }: { id: string; field: SettingFieldView; invalid: boolean }) {
  if (f.type === "select" || f.type === "boolean") {
    return (
      <select
        id={id}
        name={`field:${f.key}`}
        defaultValue={f.value}
        aria-invalid={invalid}
        aria-describedby={`${id}-hint ${id}-error`}
        className={`mt-1 ${inputClass}`}
      >
        <option value="">{f.required ? "Choose…" : "(none)"}</option>
        {(f.type === "boolean" ? ["true", "false"] : f.options).map((o) => (
          <option key={o} value={o}>
            {f.type === "boolean" ? (o === "true" ? "Yes" : "No") : o}
          </option>
        ))}
      </select>
    );
  }
  return (
    <input
      id={id}
      name={`field:${f.key}`}
      type={f.type === "number" ? "number" : f.type === "url" ? "url" : f.type === "email" ? "email" : "text"}
      defaultValue={f.value}
      aria-invalid={invalid}
      aria-describedby={`${id}-hint ${id}-error`}
      className={`mt-1 ${inputClass}`}
    />
  );
}
