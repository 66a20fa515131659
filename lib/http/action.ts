// The one wrapper for server actions that back forms (`useActionState`): read the form into the
// action's zod schema, resolve and guard the caller, run the body, and turn every failure into form
// state — a schema issue beside its field, a domain refusal with its code (and field), and anything else
// as "something went wrong" with the request id, its detail going to the log only. An action file is
// then its schema and its own work.
import "server-only";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import type { FormState } from "@/lib/http/form-state";
import { logger } from "@/lib/logger";
import { DomainError, INTERNAL_MESSAGE } from "@/lib/core/domain-error";
import { requestIdOf, withRequestContext } from "@/lib/core/request-context";

/** How an action reads its form and who may run it. */
export interface FormActionSpec<Schema extends z.ZodType, Caller> {
  /** Validates the form's fields (read with `Object.fromEntries`, or `read` when given). */
  input: Schema;
  /** Builds the object `input` validates from the form, when it is not the plain fields. */
  read?: (formData: FormData) => unknown;
  /** Resolves the signed-in caller and applies the role guard; throws AccessError to refuse. */
  caller: () => Promise<Caller>;
  /** The action's own work; its result is returned with a fresh `attempt`. */
  run: (input: z.infer<Schema>, caller: Caller) => Promise<FormState>;
  /** Runs after `run` whatever its outcome (revalidation); may call redirect() or return other state. */
  after?: (input: z.infer<Schema>, state: FormState) => FormState | void | Promise<FormState | void>;
}

/**
 * A server action `(state, formData) => FormState` built from a spec.
 *
 * Failures become state: zod issues `{ error, field }` (the first issue, its top-level key as field);
 * DomainError `{ error: message, code, field?, manifestErrors? }`; anything else `{ error:
 * INTERNAL_MESSAGE, code: "internal_error", requestId }`, logged with the same request id. Next's own
 * control-flow errors (redirect, notFound) pass through untouched.
 */
export function formAction<Schema extends z.ZodType, Caller>(spec: FormActionSpec<Schema, Caller>) {
  return async (_state: FormState, formData: FormData): Promise<FormState> => {
    const requestId = requestIdOf(await headers());
    return withRequestContext({ requestId }, async () => {
      const attempt = Date.now();
      const parsed = spec.input.safeParse(spec.read ? await spec.read(formData) : Object.fromEntries(formData));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = typeof issue?.path[0] === "string" ? issue.path[0] : undefined;
        return { attempt, ok: false, code: "invalid_request", error: issue?.message ?? "Check the form and try again.", field };
      }
      let state: FormState;
      try {
        state = { attempt, ...(await spec.run(parsed.data, await spec.caller())) };
      } catch (error) {
        unstable_rethrow(error);
        state = { attempt, ...formError(error, requestId) };
      }
      return (await spec.after?.(parsed.data, state)) ?? state;
    });
  };
}

/** The form state of a thrown error (see `formAction`). */
export function formError(error: unknown, requestId: string): FormState {
  if (error instanceof DomainError) {
    const details = (error as { details?: { field?: string; manifestErrors?: FormState["manifestErrors"] } }).details;
    const field = details?.field ?? (error.code.startsWith("secret_value") ? "value" : undefined);
    return {
      ok: false,
      error: error.message,
      code: error.code,
      ...(field ? { field } : {}),
      ...(details?.manifestErrors ? { manifestErrors: details.manifestErrors } : {}),
      ...(error.status >= 500 ? { requestId } : {}),
    };
  }
  logger.error({ err: error, request_id: requestId }, "server action failed");
  const unavailable = (error as { code?: unknown } | null)?.code === "vault_unavailable";
  return {
    ok: false,
    code: unavailable ? "vault_unavailable" : "internal_error",
    error: unavailable ? "The vault is unavailable; try again shortly." : INTERNAL_MESSAGE,
    requestId,
  };
}
