"use client";

import { useActionState, useRef } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage, FieldError } from "./form-message";
import { initialFormState, type FormAction, type ManifestErrorView } from "@/lib/http/form-state";
import { inputClass, labelClass } from "./field-styles";

/**
 * Paste or upload a manifest. Errors are listed beside the editor with their line numbers; choosing
 * one moves the cursor to that line.
 */
export function ManifestForm({
  action,
  extensionId,
  submitLabel,
  placeholder,
}: {
  action: FormAction;
  extensionId?: string;
  submitLabel: string;
  placeholder?: string;
}) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  const editor = useRef<HTMLTextAreaElement>(null);
  const errors = state.manifestErrors ?? [];
  return (
    <form action={formAction} className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(0,22rem)]" aria-busy={pending}>
      {extensionId ? <input type="hidden" name="extensionId" value={extensionId} /> : null}
      <div className="min-w-0 space-y-3">
        <div>
          <label htmlFor="manifest-yaml" className={labelClass}>
            Manifest (YAML)
          </label>
          <textarea
            key={state.attempt}
            ref={editor}
            id="manifest-yaml"
            name="yaml"
            rows={16}
            spellCheck={false}
            defaultValue={state.yaml ?? ""}
            placeholder={placeholder}
            aria-invalid={errors.length > 0 || state.field === "yaml"}
            aria-describedby="manifest-errors"
            className={`${inputClass} font-mono text-xs leading-5`}
          />
          <FieldError state={state} field="yaml" id="manifest-yaml-error" />
        </div>
        <div>
          <label htmlFor="manifest-file" className={labelClass}>
            …or upload a file
          </label>
          <input id="manifest-file" name="file" type="file" accept=".yaml,.yml,text/yaml" className="mt-1 block w-full text-sm" />
        </div>
        <Button type="submit" disabled={pending}>
          {pending ? "Uploading…" : submitLabel}
        </Button>
        <FormMessage state={errors.length > 0 ? { ...state, error: undefined } : state} />
      </div>
      <ManifestErrors message={state.error} errors={errors} onChoose={(e) => moveCursorTo(editor.current, e.line, e.column)} />
    </form>
  );
}

/** Focuses the editor with the cursor at a 1-based line and column; line 0 (no position) does nothing. */
function moveCursorTo(area: HTMLTextAreaElement | null, line: number, column: number) {
  if (!area || line < 1) return;
  const lines = area.value.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(column - 1, 0);
  area.focus();
  area.setSelectionRange(offset, offset);
}

/** The upload's errors beside the editor, each a button that moves the cursor to its line; a hint while there are none. */
function ManifestErrors({
  message,
  errors,
  onChoose,
}: {
  message: string | undefined;
  errors: ManifestErrorView[];
  onChoose: (error: ManifestErrorView) => void;
}) {
  return (
    <div id="manifest-errors" aria-live="polite" className="min-w-0">
      {errors.length > 0 ? (
        <div role="alert" className="rounded-md bg-red-50 p-3 ring-1 ring-red-200">
          <p className="text-sm font-medium text-red-800">{message}</p>
          <ol className="mt-2 space-y-2" aria-label="Manifest errors">
            {errors.map((e, i) => (
              <li key={i} className="text-sm text-red-800">
                <button type="button" onClick={() => onChoose(e)} className="text-left hover:underline focus-visible:underline">
                  {e.line > 0 ? (
                    <span className="font-mono font-semibold">
                      Line {e.line}:{e.column}
                    </span>
                  ) : null}{" "}
                  {e.path ? <code className="break-all font-mono text-xs">{e.path}</code> : null}
                  <span className="block">{e.message}</span>
                </button>
              </li>
            ))}
          </ol>
        </div>
      ) : (
        <p className="text-sm text-slate-500">
          The manifest is checked when you upload it: every problem is listed here with its line number.
        </p>
      )}
    </div>
  );
}
