// Signed checkpoints with the anchors each was handed to (sink, status; the reference — file offset,
// witness receipt, chain transaction and block — and the last error on hover).
import { Badge } from "@/components/ui/badge";
import { RelativeTime } from "@/components/ui/relative-time";

export interface CheckpointView {
  tree_size: number;
  root_hash: string;
  created_at: string;
  anchors: { sink: string; status: string; reference: string | null; block_number?: number | null; last_error?: string | null }[];
}

const tone = (status: string) => (status === "confirmed" ? "success" : status === "failed" ? "danger" : "neutral");

export function CheckpointList({ checkpoints }: { checkpoints: CheckpointView[] }) {
  if (checkpoints.length === 0) return <p className="mt-2 text-sm text-slate-600">No checkpoint signed yet.</p>;
  return (
    <ul className="mt-2 divide-y divide-slate-100 text-xs" aria-label="Checkpoints">
      {checkpoints.map((c) => (
        <li key={c.tree_size} className="py-2">
          <p className="flex flex-wrap items-center gap-2">
            <span className="font-medium text-slate-800">Size {c.tree_size}</span>
            <RelativeTime value={c.created_at} className="text-slate-500" />
            {c.anchors.map((a) => (
              <span
                key={a.sink}
                title={
                  [a.reference, a.block_number ? `block ${a.block_number}` : null, a.last_error].filter(Boolean).join(" · ") || undefined
                }
              >
                <Badge tone={tone(a.status)}>
                  {a.sink}: {a.status}
                </Badge>
              </span>
            ))}
          </p>
          <p className="mt-1 break-all font-mono text-slate-500">{c.root_hash}</p>
        </li>
      ))}
    </ul>
  );
}
