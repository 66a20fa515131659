"use client";
// One setup-wizard step as a form: its fields (secrets as password inputs never filled back, settings
// as inputs or selects), a Connect link for OAuth fields (the provider's consent screen, coming back
// here), and Back / Skip / Next. Errors show beside their field, every field's at once.
import { useActionState } from "react";
import { FormMessage } from "@/components/publisher/form-message";
import { inputClass, labelClass } from "@/components/publisher/field-styles";
import { initialFormState, type FormAction } from "@/lib/http/form-state";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { OAuthLink } from "./oauth-link";

export type StepFieldView =
  | {
      kind: "secret";
      key: string;
      label: string;
      description: string;
      required: boolean;
      isSet: boolean;
      oauthProvider: string | null;
      /** For an OAuth field: the authorize route to connect through, or null when this person may not connect it. */
      connectHref: string | null;
      enterable: boolean;
    }
  | {
      kind: "setting";
      key: string;
      label: string;
      description: string;
      required: boolean;
      type: "text" | "number" | "boolean" | "select" | "url" | "email";
      options: string[];
      value: string;
    };

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
  const errorFor = (key: string) => state.fieldErrors?.[key] ?? (state.field === key ? state.error : undefined);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-4" noValidate>
      <input type="hidden" name="installationId" value={installationId} />
      <input type="hidden" name="step" value={stepIndex} />
      {children}
      {fields.map((f) => {
        const id = `field-${f.key}`;
        const described = `${id}-hint ${id}-error`;
        return (
          <div key={f.key}>
            <label htmlFor={id} className={labelClass}>
              {f.label} {f.required ? <span className="text-xs text-slate-500">(required)</span> : null}
            </label>
            {f.kind === "secret" ? (
              f.oauthProvider ? (
                <div className="mt-1 flex flex-wrap items-center gap-3">
                  {f.connectHref ? (
                    <OAuthLink id={id} href={f.connectHref} variant={f.isSet ? "secondary" : "primary"} aria-describedby={`${id}-hint`}>
                      Connect {f.oauthProvider}
                    </OAuthLink>
                  ) : null}
                  {f.isSet ? <Badge tone="success">Connected</Badge> : <Badge tone="neutral">Not connected</Badge>}
                </div>
              ) : f.enterable ? (
                <input
                  key={state.attempt}
                  id={id}
                  name={`field:${f.key}`}
                  type="password"
                  autoComplete="new-password"
                  spellCheck={false}
                  placeholder={f.isSet ? "Set · leave blank to keep" : ""}
                  aria-invalid={errorFor(f.key) !== undefined}
                  aria-describedby={described}
                  className={`mt-1 ${inputClass}`}
                />
              ) : (
                <p id={id} className="mt-1 text-sm text-slate-600">
                  The extension will write this after you authorize.
                </p>
              )
            ) : f.type === "select" || f.type === "boolean" ? (
              <select
                id={id}
                name={`field:${f.key}`}
                defaultValue={f.value}
                aria-invalid={errorFor(f.key) !== undefined}
                aria-describedby={described}
                className={`mt-1 ${inputClass}`}
              >
                <option value="">{f.required ? "Choose…" : "(none)"}</option>
                {(f.type === "boolean" ? ["true", "false"] : f.options).map((o) => (
                  <option key={o} value={o}>
                    {f.type === "boolean" ? (o === "true" ? "Yes" : "No") : o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                name={`field:${f.key}`}
                type={f.type === "number" ? "number" : f.type === "url" ? "url" : f.type === "email" ? "email" : "text"}
                defaultValue={f.value}
                aria-invalid={errorFor(f.key) !== undefined}
                aria-describedby={described}
                className={`mt-1 ${inputClass}`}
              />
            )}
            <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500">
              {f.kind === "secret" && f.oauthProvider
                ? [
                    f.description,
                    f.connectHref
                      ? `${f.oauthProvider} asks you to sign in and approve access; you come back here afterwards.`
                      : `Only owners and admins of this organization can connect ${f.oauthProvider}.`,
                  ]
                    .filter(Boolean)
                    .join(" ")
                : f.description}
            </p>
            {errorFor(f.key) ? (
              <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-red-700">
                {errorFor(f.key)}
              </p>
            ) : null}
          </div>
        );
      })}
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
