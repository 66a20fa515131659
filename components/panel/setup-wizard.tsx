// The setup wizard page's pieces that only show what they are given (server components): the way back
// to the organization with the page's notices, the progress bar, and the card once there is nothing to set up.
import Link from "next/link";
import { Card } from "@/components/ui/card";

/** The link back to the organization, then "Installed …" and, back from a field's Connect, "Connected …". */
export function SetupNotices({
  org,
  extensionName,
  installed,
  connectedName,
}: {
  org: { slug: string; name: string };
  extensionName: string;
  installed: boolean;
  connectedName: string | null;
}) {
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href={`/panel?org=${org.slug}`} className="text-brand-700 hover:underline">
          ← {org.name}
        </Link>
      </p>
      {installed ? (
        <p role="status" className="mb-2 text-sm text-emerald-700">
          Installed {extensionName} in {org.name}.
        </p>
      ) : null}
      {/* The OAuth callback comes back here with ?oauth=connected&provider=<id> after a setup field's Connect. */}
      {connectedName ? (
        <p role="status" className="mb-2 text-sm text-emerald-700">
          Connected {connectedName}.
        </p>
      ) : null}
    </>
  );
}

/** Where setup ends: no steps (perhaps only a connection to make) or every step done, with the way to the secrets. */
export function SetupDone({ installationId, hasSteps, hasConnect }: { installationId: string; hasSteps: boolean; hasConnect: boolean }) {
  return (
    <Card>
      {!hasSteps ? (hasConnect ? "Connecting is all there is to set up." : "This extension has no setup steps.") : "Setup is complete."}{" "}
      <Link href={`/panel/extensions/${installationId}/settings/secrets`} className="text-brand-700 underline">
        Manage its secrets
      </Link>
      .
    </Card>
  );
}

/** Step `current` (0-based) of `total`, as a progressbar of one segment per step. */
export function SetupProgress({ current, total }: { current: number; total: number }) {
  return (
    <div
      role="progressbar"
      aria-label="Setup progress"
      aria-valuemin={1}
      aria-valuemax={total}
      aria-valuenow={current + 1}
      className="mb-4 flex h-2 overflow-hidden rounded-full bg-slate-200"
    >
      {/* One segment per step: a width in a style attribute would be refused by the Content-Security-Policy. */}
      {Array.from({ length: total }, (_, i) => (
        <div key={i} className={i <= current ? "h-full flex-1 bg-brand-600" : "h-full flex-1"} />
      ))}
    </div>
  );
}
