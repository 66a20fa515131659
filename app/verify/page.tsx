// /verify — public, no sign-in: anyone holding an exported audit event checks in their own browser that
// it is in the log, signed and anchored (components/audit/verify-form.tsx does the checking).
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { VerifyForm } from "@/components/audit/verify-form";

export const metadata = { title: "Verify an audit event" };

export default function VerifyPage() {
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader
        title="Verify an audit event"
        description="Paste an event exported from Latchkey's audit log (a line of the JSONL or SIEM export) or its leaf hash. Your browser recomputes its hash, checks the inclusion proof against a checkpoint signed by the log's key, and shows where that checkpoint was anchored."
      />
      <Card>
        <VerifyForm />
      </Card>
      <p className="mt-4 text-xs text-slate-500">
        The log&apos;s key:{" "}
        <a className="text-brand-700 hover:underline" href="/api/v1/audit/public-key">
          /api/v1/audit/public-key
        </a>
        ; its latest checkpoint (C2SP format):{" "}
        <a className="text-brand-700 hover:underline" href="/api/v1/audit/checkpoint">
          /api/v1/audit/checkpoint
        </a>
        .
      </p>
    </div>
  );
}
