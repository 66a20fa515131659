"use client";

// The audit trail viewer shared by the admin page, a publisher's extension tab and an end user's activity
// page: filters, newest-first infinite scroll over a JSON route, CSV/JSONL export of the filtered set,
// and per row a "Verified" mark computed here in the browser from the row's inclusion proof. What each
// viewer may see is decided by its endpoint, server-side; this component only shows what it is given.
// A row with withheld fields (a publisher's view of another organization's people) has no entry to
// re-hash, so its mark says "Included": its leaf hash is proven in the signed tree, its content is not.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from "react";
import { rootFromProof, verifyCheckpoint, verifyRow, type LogPublicKey } from "@/lib/audit/browser-verify";
import type { AuditPage, AuditRow } from "@/lib/audit/queries";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";

const COLUMNS = ["When", "Who", "Action", "Target", "Source", "Outcome", "Integrity"] as const;

export type AuditFilterName = "actor" | "action" | "extension" | "org" | "outcome" | "time";

export interface AuditViewerProps {
  /** The JSON route (format=json pages; format=csv|jsonl exports). */
  endpoint: string;
  /** Accessible name of the events table. */
  label?: string;
  filters?: AuditFilterName[];
  /** Placeholder of the actor filter, when the default ("name, email or id") does not fit the viewer. */
  actorPlaceholder?: string;
  exportable?: boolean;
  emptyMessage?: string;
}

type Applied = Record<string, string>;

const filterLabels: Record<Exclude<AuditFilterName, "outcome" | "time">, { label: string; placeholder: string }> = {
  actor: { label: "Actor", placeholder: "name, email or id" },
  action: { label: "Action", placeholder: "e.g. secret." },
  extension: { label: "Extension", placeholder: "name or id" },
  org: { label: "Organization", placeholder: "name or id" },
};

function queryString(applied: Applied, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...applied, ...extra })) if (v) params.set(k, v);
  return params.toString();
}

export function AuditViewer({
  endpoint,
  label = "Audit events",
  filters = [],
  actorPlaceholder,
  exportable = false,
  emptyMessage = "No events match.",
}: AuditViewerProps) {
  const [applied, setApplied] = useState<Applied>({});
  const formId = useId();
  const query = useInfiniteQuery({
    queryKey: ["audit-events", endpoint, applied],
    initialPageParam: undefined as number | undefined,
    queryFn: async ({ pageParam, signal }): Promise<AuditPage> => {
      const qs = queryString(applied, pageParam ? { cursor: String(pageParam) } : {});
      const response = await fetch(`${endpoint}?${qs}`, { signal, headers: { accept: "application/json" } });
      const body = (await response.json()) as AuditPage | { error: { message: string } };
      if (!response.ok || "error" in body) throw new Error("error" in body ? body.error.message : `HTTP ${response.status}`);
      return body;
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // Events not yet in a signed checkpoint show "Pending"; look again until they are covered.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.rows.some((r) => r.proof === null)) ? 3000 : false),
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.rows) ?? [], [query.data]);
  const checkpoint = query.data?.pages[0]?.checkpoint ?? null;
  const trusted = useTrustedRoots(query.data?.pages ?? []);

  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const next: Applied = {};
    for (const [key, value] of data) {
      if (typeof value !== "string" || value.trim() === "") continue;
      next[key] = key === "from" || key === "to" ? new Date(value).toISOString() : value.trim();
    }
    setApplied(next);
  };

  return (
    <div className="space-y-4">
      {filters.length > 0 ? (
        <form
          id={formId}
          onSubmit={onSubmit}
          aria-label="Filter events"
          className="grid gap-3 rounded-xl bg-white p-4 ring-1 ring-slate-200 sm:grid-cols-2 lg:grid-cols-4"
        >
          {filters.map((name) => {
            if (name === "outcome") {
              return (
                <label key={name} className="flex flex-col gap-1 text-sm">
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
                <div key={name} className="contents">
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
              <label key={name} className="flex flex-col gap-1 text-sm">
                <span className="font-medium text-slate-700">{text}</span>
                <input name={name} placeholder={placeholder} className="min-h-10 rounded-md border border-slate-300 px-2" />
              </label>
            );
          })}
          <div className="flex flex-wrap items-end gap-2 sm:col-span-2 lg:col-span-4">
            <Button type="submit">Apply filters</Button>
            <Button
              type="reset"
              variant="secondary"
              onClick={() => {
                setApplied({});
              }}
            >
              Clear
            </Button>
            {exportable ? (
              <span className="ml-auto flex flex-wrap gap-2">
                <a
                  className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
                  href={`${endpoint}?${queryString(applied, { format: "csv" })}`}
                  download
                >
                  Export CSV
                </a>
                <a
                  className="rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
                  href={`${endpoint}?${queryString(applied, { format: "jsonl" })}`}
                  download
                >
                  Export JSONL
                </a>
              </span>
            ) : null}
          </div>
        </form>
      ) : null}

      <p className="text-sm text-slate-600" role="status" aria-live="polite">
        {query.isPending
          ? "Loading events…"
          : query.isError
            ? `Could not load events: ${query.error.message}`
            : `${rows.length} ${rows.length === 1 ? "event" : "events"} shown${hasNextPage ? " (scroll for more)" : ""}.`}
        {!query.isPending && !query.isError ? (
          checkpoint ? (
            <>
              {" "}
              Latest signed checkpoint: {checkpoint.tree_size} entries, <RelativeTime value={checkpoint.created_at} />.
            </>
          ) : (
            " No signed checkpoint yet."
          )
        ) : null}
      </p>

      {!query.isPending && rows.length === 0 && !query.isError ? (
        <EmptyState title={emptyMessage} />
      ) : (
        // Below the sm breakpoint each event is a stacked card (a label before every value) instead of a
        // row that would be cut off after a column or two; the column headers stay for screen readers.
        <div className="relative rounded-xl bg-white ring-1 ring-slate-200 sm:overflow-x-auto">
          <table className="block w-full text-left text-sm sm:table sm:min-w-[44rem]" aria-label={label}>
            <thead className="sr-only border-b border-slate-200 bg-slate-50 text-xs uppercase tracking-wide text-slate-600 sm:not-sr-only sm:table-header-group">
              <tr>
                {COLUMNS.map((column) => (
                  <th key={column} scope="col" className="px-3 py-2">
                    {column}
                  </th>
                ))}
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">Details</span>
                </th>
              </tr>
            </thead>
            <tbody className="block divide-y divide-slate-100 sm:table-row-group">
              {rows.map((row) => (
                <EventRow key={row.id} row={row} trusted={trusted} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div ref={sentinel} />
      {hasNextPage ? (
        <Button variant="secondary" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
          {isFetchingNextPage ? "Loading more…" : "Load more"}
        </Button>
      ) : null}
    </div>
  );
}

// A cell: a block in the stacked (narrow) layout, a table cell from sm up.
const cell = "block min-w-0 sm:table-cell sm:px-3 sm:py-2";

/** The column's name before a value in the stacked layout; screen readers have the table's headers. */
function CellLabel({ children }: { children: string }) {
  return (
    <span aria-hidden="true" className="block text-xs font-medium uppercase tracking-wide text-slate-500 sm:hidden">
      {children}
    </span>
  );
}

function EventRow({ row, trusted }: { row: AuditRow; trusted: TrustedRoots }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  // A pseudonym already says its kind ("user:…"); a bare id gets it in front.
  const who = row.actor.name ?? (row.actor.id.startsWith(`${row.actor.kind}:`) ? row.actor.id : `${row.actor.kind} ${row.actor.id}`);
  return (
    <>
      <tr data-testid="audit-event" className="grid grid-cols-2 gap-x-3 gap-y-2 p-3 align-top sm:table-row sm:p-0">
        <td className={`${cell} col-span-2 tabular-nums text-slate-700 sm:whitespace-nowrap`}>
          <CellLabel>When</CellLabel>
          <RelativeTime value={row.occurred_at} />
        </td>
        <td className={`${cell} col-span-2`}>
          <CellLabel>Who</CellLabel>
          <span className="break-words font-medium text-slate-800">{who}</span>
          <span className="block text-xs text-slate-500">{row.actor.kind}</span>
        </td>
        <td className={`${cell} break-all font-mono text-xs`}>
          <CellLabel>Action</CellLabel>
          {row.action}
        </td>
        <td className={cell}>
          <CellLabel>Target</CellLabel>
          <span className="break-all font-mono text-xs">{row.target}</span>
          {row.extension ? <span className="block text-xs text-slate-500">{row.extension.name ?? row.extension.id}</span> : null}
        </td>
        <td className={`${cell} text-xs`}>
          <CellLabel>Source</CellLabel>
          {row.source.kind}
          {row.source.ip ? <span className="block break-all text-slate-500">{row.source.ip}</span> : null}
        </td>
        <td className={cell}>
          <CellLabel>Outcome</CellLabel>
          <Badge tone={row.outcome === "success" ? "success" : row.outcome === "denied" ? "warning" : "danger"}>{row.outcome}</Badge>
        </td>
        <td className={cell}>
          <CellLabel>Integrity</CellLabel>
          <VerifiedMark row={row} trusted={trusted} />
        </td>
        <td className={`${cell} sm:text-right`}>
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            onClick={() => setOpen((v) => !v)}
            className="min-h-10 rounded px-2 py-1 text-xs font-medium text-brand-700 ring-1 ring-slate-200 hover:bg-slate-100 sm:min-h-0 sm:ring-0"
          >
            {open ? "Hide" : "Details"}
            <span className="sr-only"> of event {row.id}</span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr id={detailsId} className="block sm:table-row">
          <td colSpan={8} className="block bg-slate-50 px-3 py-3 sm:table-cell">
            <dl className="grid gap-x-4 gap-y-1 text-xs sm:grid-cols-[10rem_1fr]">
              <dt className="font-medium text-slate-600">Event id</dt>
              <dd>{row.id}</dd>
              <dt className="font-medium text-slate-600">Leaf index</dt>
              <dd>{row.leaf_index ?? "not sequenced yet"}</dd>
              <dt className="font-medium text-slate-600">Organization</dt>
              <dd>{row.org ? (row.org.name ?? row.org.id) : "—"}</dd>
              <dt className="font-medium text-slate-600">User agent</dt>
              <dd className="break-all">{row.source.user_agent ?? "—"}</dd>
              <dt className="font-medium text-slate-600">Checkpoint</dt>
              <dd className="break-all">{row.proof ? `tree size ${row.proof.tree_size}, root ${row.proof.root_hash}` : "—"}</dd>
              <dt className="font-medium text-slate-600">Anchors</dt>
              <dd>
                {row.anchors.length > 0
                  ? row.anchors.map((a) => `${a.sink}: ${a.status}${a.reference ? ` (${a.reference})` : ""}`).join("; ")
                  : "—"}
              </dd>
              {row.withheld.length > 0 ? (
                <>
                  <dt className="font-medium text-slate-600">Withheld</dt>
                  <dd>
                    {`${row.withheld.join(", ")}: personal details of people outside this publisher are not shown here, and their ids are this view's pseudonyms.`}
                  </dd>
                </>
              ) : null}
              <dt className="font-medium text-slate-600">Details</dt>
              <dd>
                <pre className="overflow-x-auto whitespace-pre-wrap break-all">{JSON.stringify(row.details, null, 2)}</pre>
              </dd>
            </dl>
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Signed roots by tree size, once the browser has checked each page's checkpoint signature; null while it checks. */
type TrustedRoots = Map<number, string> | null;

/**
 * Checks the Ed25519 signature of every page's checkpoint with the log's published key (WebCrypto),
 * so a row is only "Verified" up to a root the log's key signed, not one the server merely states.
 */
function useTrustedRoots(pages: AuditPage[]): TrustedRoots {
  const key = useQuery({
    queryKey: ["audit-public-key"],
    staleTime: Infinity,
    queryFn: async (): Promise<LogPublicKey> => {
      const response = await fetch("/api/v1/audit/public-key", { headers: { accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.json()) as LogPublicKey;
    },
  });
  const checkpoints = useMemo(() => {
    const bySize = new Map<number, NonNullable<AuditPage["checkpoint"]>>();
    for (const page of pages) if (page.checkpoint) bySize.set(page.checkpoint.tree_size, page.checkpoint);
    return [...bySize.values()];
  }, [pages]);
  const trust = useQuery({
    queryKey: ["audit-trust", key.data?.public_key, checkpoints.map((c) => `${c.tree_size}:${c.root_hash}`).join(",")],
    enabled: key.data !== undefined,
    staleTime: Infinity,
    queryFn: async () => {
      const roots = new Map<number, string>();
      for (const c of checkpoints) {
        if (key.data && (await verifyCheckpoint(c, key.data))) roots.set(c.tree_size, c.root_hash.toLowerCase());
      }
      return roots;
    },
  });
  return trust.data ?? null;
}

function VerifiedMark({ row, trusted }: { row: AuditRow; trusted: TrustedRoots }) {
  const proof = row.proof;
  const check = useQuery({
    queryKey: ["audit-verify", row.id, proof?.tree_size, proof?.root_hash],
    enabled: proof !== null && row.leaf_index !== null,
    staleTime: Infinity,
    queryFn: () => (proof && row.leaf_index !== null ? verifyOwnRow(row, row.leaf_index, proof) : Promise.resolve(false)),
  });
  if (!proof || row.leaf_index === null) return <Badge tone="neutral">Pending</Badge>;
  if (check.isPending || trusted === null) return <Badge tone="neutral">Checking…</Badge>;
  const signed = trusted.get(proof.tree_size) === proof.root_hash.toLowerCase();
  if (check.data && signed && row.entry === null) {
    return (
      <span
        title={`Leaf ${row.leaf_index}'s hash is proven in the tree of ${proof.tree_size} entries whose signed checkpoint checked out here; its content is partly withheld from this view, so it was not re-hashed`}
      >
        <Badge tone="success">Included</Badge>
      </span>
    );
  }
  if (check.data && signed) {
    return (
      <span title={`Leaf ${row.leaf_index} proven in the tree of ${proof.tree_size} entries whose signed checkpoint checked out here`}>
        <Badge tone="success">Verified</Badge>
      </span>
    );
  }
  return (
    <span
      title={check.data ? "The checkpoint's signature does not verify with the log's key" : "The entry does not lead to the signed root"}
    >
      <Badge tone="danger">Not verified</Badge>
    </span>
  );
}

/** The row's entry re-hashed and proven, or, when the entry is withheld, its stated leaf hash proven. */
async function verifyOwnRow(row: AuditRow, leafIndex: number, proof: NonNullable<AuditRow["proof"]>): Promise<boolean> {
  if (row.entry !== null) return verifyRow(row.entry, leafIndex, proof);
  if (row.leaf_hash === null) return false;
  const root = await rootFromProof(leafIndex, proof.tree_size, row.leaf_hash, proof.proof_path);
  return root !== null && root === proof.root_hash.toLowerCase();
}
