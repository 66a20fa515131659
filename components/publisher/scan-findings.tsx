// The publish-time scan's findings for one version: each with its rule, severity, file:line:col, the code
// lines around it, why it matters and how to fix it; reasoned exceptions are listed apart for reviewers,
// and findings accepted by the baseline file are shown but marked.
import type { Finding } from "@latchkey/scan";
import { RULES } from "@latchkey/scan";
import { Badge } from "@/components/ui/badge";

function FindingItem({ finding }: { finding: Finding }) {
  const rule = RULES[finding.rule];
  const tone = finding.baselined ? "neutral" : finding.severity === "block" ? "danger" : "warning";
  const label = finding.baselined ? "Accepted (baseline)" : finding.severity === "block" ? "Blocks publishing" : "Warning";
  return (
    <li data-testid="scan-finding" className="py-4">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={tone}>{label}</Badge>
        <span className="font-mono text-sm font-semibold break-all">
          {finding.path}:{finding.line}:{finding.column}
        </span>
        <span className="text-sm text-slate-600">
          {rule.title} <code className="text-xs text-slate-500">({finding.rule})</code>
        </span>
      </div>
      <p className="mt-2 text-sm text-slate-800">{finding.message}</p>
      <pre
        className="mt-2 overflow-x-auto rounded-md bg-slate-900 p-3 text-xs leading-5 text-slate-100"
        aria-label={`Code around ${finding.path} line ${finding.line}`}
      >
        {finding.context.map((c) => (
          <span key={c.line} className={c.line === finding.line ? "block bg-red-900/60" : "block"}>
            <span className="mr-3 inline-block w-8 select-none text-right text-slate-400">{c.line}</span>
            {c.text}
            {"\n"}
          </span>
        ))}
      </pre>
      {finding.exception ? (
        <p className="mt-2 text-sm text-amber-800">
          <span className="font-medium">Exception (line {finding.exception.line}):</span> {finding.exception.reason}
        </p>
      ) : null}
      {finding.note ? <p className="mt-2 text-sm text-red-700">{finding.note}</p> : null}
      <dl className="mt-2 grid gap-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-3">
        <dt className="font-medium text-slate-700">Why</dt>
        <dd className="text-slate-600">{rule.explanation}</dd>
        <dt className="font-medium text-slate-700">How to fix</dt>
        <dd className="text-slate-600">{rule.fix}</dd>
      </dl>
    </li>
  );
}

export function ScanFindings({ findings }: { findings: Finding[] }) {
  const exceptions = findings.filter((f) => f.exception);
  return (
    <>
      {exceptions.length > 0 ? (
        <section aria-labelledby="exceptions-heading" className="mt-4 rounded-md bg-amber-50 p-3 ring-1 ring-amber-200">
          <h3 id="exceptions-heading" className="text-sm font-semibold text-amber-900">
            Exceptions for reviewers
          </h3>
          <ul className="mt-1 space-y-1 text-sm text-amber-900" aria-label="Exceptions">
            {exceptions.map((f) => (
              <li key={f.fingerprint}>
                <span className="font-mono">
                  {f.path}:{f.line}:{f.column}
                </span>{" "}
                {f.snippet} — {f.exception?.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {findings.length > 0 ? (
        <ol className="mt-2 divide-y divide-slate-100" aria-label="Scan findings">
          {findings.map((f) => (
            <FindingItem key={f.fingerprint} finding={f} />
          ))}
        </ol>
      ) : (
        <p className="mt-3 text-sm text-emerald-700">No findings: every credential read goes through the vault.</p>
      )}
    </>
  );
}
