// One audit event in the viewer's table (rendered inside the client AuditViewer): a row of cells that
// stacks into a labelled card below the sm breakpoint, and a details row it opens and closes.
import { useId, useState } from "react";
import type { AuditRow } from "@/lib/audit/queries";
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";
import { VerifiedMark, type TrustedRoots } from "./verified-mark";

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

/** Who acted: a name when the view may show one; a pseudonym already says its kind ("user:…"), a bare id gets it in front. */
function actorLabel(actor: AuditRow["actor"]): string {
  return actor.name ?? (actor.id.startsWith(`${actor.kind}:`) ? actor.id : `${actor.kind} ${actor.id}`);
}

export function EventRow({ row, trusted }: { row: AuditRow; trusted: TrustedRoots }) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  return (
    <>
      <tr data-testid="audit-event" className="grid grid-cols-2 gap-x-3 gap-y-2 p-3 align-top sm:table-row sm:p-0">
        <td className={`${cell} col-span-2 tabular-nums text-slate-700 sm:whitespace-nowrap`}>
          <CellLabel>When</CellLabel>
          <RelativeTime value={row.occurred_at} />
        </td>
        <td className={`${cell} col-span-2`}>
          <CellLabel>Who</CellLabel>
          <span className="break-words font-medium text-slate-800">{actorLabel(row.actor)}</span>
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
      {open ? <EventDetails id={detailsId} row={row} /> : null}
    </>
  );
}

/** The opened details row: ids, organization, user agent, checkpoint, anchors, withheld fields and the event's details. */
function EventDetails({ id, row }: { id: string; row: AuditRow }) {
  return (
    <tr id={id} className="block sm:table-row">
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
  );
}
