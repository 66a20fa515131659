// The audit viewer's per-row integrity mark, computed in the browser (rendered inside the client
// AuditViewer): the row's inclusion proof must lead to a root whose checkpoint signature checks out with
// the log's published key. A row with withheld fields has no entry to re-hash, so its mark says "Included".
import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { rootFromProof, verifyCheckpoint, verifyRow, type LogPublicKey } from "@/lib/audit/browser-verify";
import type { AuditPage, AuditRow } from "@/lib/audit/queries";
import { Badge } from "@/components/ui/badge";

/** Signed roots by tree size, once the browser has checked each page's checkpoint signature; null while it checks. */
export type TrustedRoots = Map<number, string> | null;

/**
 * Checks the Ed25519 signature of every page's checkpoint with the log's published key (WebCrypto),
 * so a row is only "Verified" up to a root the log's key signed, not one the server merely states.
 */
export function useTrustedRoots(pages: AuditPage[]): TrustedRoots {
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

/** Pending (not in a checkpoint yet), Checking…, Verified, Included (withheld content) or Not verified. */
export function VerifiedMark({ row, trusted }: { row: AuditRow; trusted: TrustedRoots }) {
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
