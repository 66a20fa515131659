import type { FormState } from "./form-state";

/** The outcome of a form: a status line on success, an alert (kept line breaks) on failure. */
export function FormMessage({ state, id }: { state: FormState; id?: string }) {
  if (state.error && !state.field) {
    return (
      <p id={id} role="alert" className="mt-2 whitespace-pre-line text-sm text-red-700">
        {state.error}
        {state.requestId ? <span className="mt-1 block font-mono text-xs text-red-600">Request id: {state.requestId}</span> : null}
      </p>
    );
  }
  if (state.ok && state.message) {
    return (
      <p id={id} role="status" className="mt-2 text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  return null;
}

/** An error that belongs to one field, rendered beside it. */
export function FieldError({ state, field, id }: { state: FormState; field: string; id: string }) {
  if (!state.error || state.field !== field) return null;
  return (
    <p id={id} role="alert" className="mt-1 text-sm text-red-700">
      {state.error}
    </p>
  );
}
