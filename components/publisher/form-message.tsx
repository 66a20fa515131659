"use client";
// A form's outcome beside it. After a submission the message takes keyboard focus, so the next Tab
// continues from the form rather than from "Skip to content" (the submit button, disabled while the
// action runs, loses focus), and screen readers read it out.
import { useEffect, useRef } from "react";
import type { FormState } from "@/lib/http/form-state";

/**
 * Moves focus to the returned element whenever `state` is a new result that `shown` says is on screen.
 * The initial state (before any submission) never takes focus.
 */
export function useFocusOnResult<T extends HTMLElement>(state: FormState, shown: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (shown && state.attempt !== undefined) ref.current?.focus({ preventScroll: false });
  }, [state, shown]);
  return ref;
}

const focusRing = "rounded-sm outline-none focus-visible:ring-2 focus-visible:ring-brand-500";

/**
 * The outcome of a form: a status line on success, an alert (kept line breaks) on failure. Field errors
 * are shown beside their field instead (FieldError). `focus` (default on) moves focus here on a result.
 */
export function FormMessage({ state, id, focus = true }: { state: FormState; id?: string; focus?: boolean }) {
  const failed = Boolean(state.error && !state.field);
  const succeeded = Boolean(state.ok && state.message);
  const ref = useFocusOnResult<HTMLParagraphElement>(state, focus && (failed || succeeded));
  if (failed) {
    return (
      <p id={id} ref={ref} tabIndex={-1} role="alert" className={`mt-2 whitespace-pre-line text-sm text-red-700 ${focusRing}`}>
        {state.error}
        {state.requestId ? <span className="mt-1 block font-mono text-xs text-red-600">Request id: {state.requestId}</span> : null}
      </p>
    );
  }
  if (state.ok && state.message) {
    return (
      <p id={id} ref={ref} tabIndex={-1} role="status" className={`mt-2 text-sm text-emerald-700 ${focusRing}`}>
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
