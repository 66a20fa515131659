"use client";

// The audit trail viewer shared by the admin page, a publisher's extension tab and an end user's activity
// page: filters, newest-first infinite scroll over a JSON route, CSV/JSONL export of the filtered set,
// and per row a "Verified" mark computed here in the browser from the row's inclusion proof. What each
// viewer may see is decided by its endpoint, server-side; this component only shows what it is given.
// A row with withheld fields (a publisher's view of another organization's people) has no entry to
// re-hash, so its mark says "Included": its leaf hash is proven in the signed tree, its content is not.
import { useInfiniteQuery, type UseInfiniteQueryResult, type InfiniteData } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState, type RefObject } from "react";
import type { AuditPage, AuditRow } from "@/lib/audit/queries";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { AuditFilters, queryString, type AppliedFilters, type AuditFilterName } from "./audit-filters";
import { EventRow } from "./event-row";
import { useTrustedRoots, type TrustedRoots } from "./verified-mark";

export type { AuditFilterName } from "./audit-filters";

const COLUMNS = ["When", "Who", "Action", "Target", "Source", "Outcome", "Integrity"] as const;

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

type EventsQuery = UseInfiniteQueryResult<InfiniteData<AuditPage, number | undefined>>;

/** Newest-first pages of the endpoint under the applied filters, each page's cursor leading to the next. */
function useAuditEvents(endpoint: string, applied: AppliedFilters): EventsQuery {
  return useInfiniteQuery({
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
}

/** A ref for an element below the table: when it scrolls into view, the next page loads. */
function useLoadMoreOnScroll({ hasNextPage, isFetchingNextPage, fetchNextPage }: EventsQuery): RefObject<HTMLDivElement | null> {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  return sentinel;
}

export function AuditViewer({
  endpoint,
  label = "Audit events",
  filters = [],
  actorPlaceholder,
  exportable = false,
  emptyMessage = "No events match.",
}: AuditViewerProps) {
  const [applied, setApplied] = useState<AppliedFilters>({});
  const query = useAuditEvents(endpoint, applied);
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.rows) ?? [], [query.data]);
  const trusted = useTrustedRoots(query.data?.pages ?? []);
  const sentinel = useLoadMoreOnScroll(query);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;

  return (
    <div className="space-y-4">
      {filters.length > 0 ? (
        <AuditFilters
          endpoint={endpoint}
          filters={filters}
          actorPlaceholder={actorPlaceholder}
          exportable={exportable}
          applied={applied}
          onApply={setApplied}
        />
      ) : null}
      <AuditStatus query={query} shown={rows.length} />
      {!query.isPending && rows.length === 0 && !query.isError ? (
        <EmptyState title={emptyMessage} />
      ) : (
        <EventsTable label={label} rows={rows} trusted={trusted} />
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

/** The live line above the table: loading, the error, or how many events show and the latest signed checkpoint. */
function AuditStatus({ query, shown }: { query: EventsQuery; shown: number }) {
  const checkpoint = query.data?.pages[0]?.checkpoint ?? null;
  return (
    <p className="text-sm text-slate-600" role="status" aria-live="polite">
      {query.isPending
        ? "Loading events…"
        : query.isError
          ? `Could not load events: ${query.error.message}`
          : `${shown} ${shown === 1 ? "event" : "events"} shown${query.hasNextPage ? " (scroll for more)" : ""}.`}
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
  );
}

function EventsTable({ label, rows, trusted }: { label: string; rows: AuditRow[]; trusted: TrustedRoots }) {
  return (
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
  );
}
