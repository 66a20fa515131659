// The audit viewer's filter form and export links (rendered inside the client AuditViewer). Filters apply
// on submit, not per keystroke; the export links carry the applied filters to the same JSON route.
import { useId, type FormEvent } from "react";
import { Button } from "@/components/ui/button";

export type AuditFilterName = "actor" | "action" | "extension" | "org" | "outcome" | "time";

/** The applied filters as query parameters (empty values are left out); from/to are ISO 8601 instants. */
export type AppliedFilters = Record<string, string>;

const filterLabels: Record<Exclude<AuditFilterName, "outcome" | "time">, { label: string; placeholder: string }> = {
  actor: { label: "Actor", placeholder: "name, email or id" },
  action: { label: "Action", placeholder: "e.g. secret." },
  extension: { label: "Extension", placeholder: "name or id" },
  org: { label: "Organization", placeholder: "name or id" },
};

/** The applied filters plus `extra` (a cursor, an export format) as a query string, without empty values. */
export function queryString(applied: AppliedFilters, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...applied, ...extra })) if (v) params.set(k, v);
  return params.toString();
}

/** The form's non-blank values, trimmed; datetime-local inputs become ISO instants in the browser's zone. */
function appliedFrom(form: HTMLFormElement): AppliedFilters {
  const next: AppliedFilters = {};
  for (const [key, value] of new FormData(form)) {
    if (typeof value !== "string" || value.trim() === "") continue;
    next[key] = key === "from" || key === "to" ? new Date(value).toISOString() : value.trim();
  }
  return next;
}

export function AuditFilters({
  endpoint,
  filters,
  actorPlaceholder,
  exportable,
  applied,
  onApply,
}: {
  endpoint: string;
  filters: AuditFilterName[];
  actorPlaceholder: string | undefined;
  exportable: boolean;
  applied: AppliedFilters;
  onApply: (next: AppliedFilters) => void;
}) {
  const formId = useId();
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(appliedFrom(event.currentTarget));
  };
  return (
    <form
      id={formId}
      onSubmit={onSubmit}
      aria-label="Filter events"
      className="grid gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-4"
    >
      {filters.map((name) => (
        <FilterField key={name} name={name} actorPlaceholder={actorPlaceholder} />
      ))}
      <div className="flex flex-wrap items-end gap-2 sm:col-span-2 lg:col-span-4">
        <Button type="submit">Apply filters</Button>
        <Button
          type="reset"
          variant="secondary"
          onClick={() => {
            onApply({});
          }}
        >
          Clear
        </Button>
        {exportable ? <ExportLinks endpoint={endpoint} applied={applied} /> : null}
      </div>
    </form>
  );
}

function FilterField({ name, actorPlaceholder }: { name: AuditFilterName; actorPlaceholder: string | undefined }) {
  if (name === "outcome") {
    return (
      <label className="flex flex-col gap-1 text-sm">
        <span className="font-medium text-slate-700">Outcome</span>
        <select name="outcome" className="min-h-10 rounded-md border border-slate-300 bg-white px-2" defaultValue="">
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
          <option value="denied">Denied</option>
        </select>
      </label>
    );
  }
  if (name === "time") {
    return (
      <div className="contents">
        <label className="flex flex-col gap-1 text-sm">
          <span className="font-medium text-slate-700">From</span>
          <input type="datetime-local" name="from" className="min-h-10 rounded-md border border-slate-300 px-2" />
        </label>
        <label className="flex flex-col gap-1 text-sm">
          <span className="font-medium text-slate-700">To</span>
          <input type="datetime-local" name="to" className="min-h-10 rounded-md border border-slate-300 px-2" />
        </label>
      </div>
    );
  }
  const { label: text, placeholder: fallback } = filterLabels[name];
  const placeholder = name === "actor" ? (actorPlaceholder ?? fallback) : fallback;
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium text-slate-700">{text}</span>
      <input name={name} placeholder={placeholder} className="min-h-10 rounded-md border border-slate-300 px-2" />
    </label>
  );
}

const exportLinkClass = "rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50";

/** Downloads of the whole filtered set (not only the pages loaded so far). */
function ExportLinks({ endpoint, applied }: { endpoint: string; applied: AppliedFilters }) {
  return (
    <span className="ml-auto flex flex-wrap gap-2">
      <a className={exportLinkClass} href={`${endpoint}?${queryString(applied, { format: "csv" })}`} download>
        Export CSV
      </a>
      <a className={exportLinkClass} href={`${endpoint}?${queryString(applied, { format: "jsonl" })}`} download>
        Export JSONL
      </a>
    </span>
  );
}
