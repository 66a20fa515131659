"use client";
// Upload a draft version's source archive. The scan runs on the server; its findings appear on the
// version page, which the action revalidates. A refused archive (an entry escaping the root, a link, a
// compression bomb…) is shown here with the server's words.
import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { labelClass } from "./field-styles";
import { FieldError, FormMessage } from "./form-message";
import { initialFormState, type FormAction } from "@/lib/http/form-state";

export function SourceForm({ action, extensionId, version }: { action: FormAction; extensionId: string; version: string }) {
  const [state, formAction, pending] = useActionState(action, initialFormState);
  return (
    <form action={formAction} aria-busy={pending} className="space-y-3">
      <input type="hidden" name="extensionId" value={extensionId} />
      <input type="hidden" name="version" value={version} />
      <div>
        <label htmlFor="source-archive" className={labelClass}>
          Source archive (.zip or .tar.gz)
        </label>
        <input
          key={state.attempt}
          id="source-archive"
          name="archive"
          type="file"
          accept=".zip,.tar.gz,.tgz,application/zip,application/gzip"
          aria-invalid={state.field === "archive"}
          aria-describedby="source-archive-help source-archive-error"
          className="mt-1 block w-full text-sm"
        />
        <p id="source-archive-help" className="mt-1 text-xs text-slate-500">
          Never executed: unpacked in memory and parsed. Dependencies, tests, fixtures and docs are skipped; a .latchkeyignore at the root
          adds patterns, latchkey-scan-baseline.json accepts existing findings.
        </p>
        <FieldError state={state} field="archive" id="source-archive-error" />
      </div>
      <Button type="submit" disabled={pending}>
        {pending ? "Scanning…" : "Upload and scan"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
