import { disconnectAction } from "@/app/panel/actions/connections";
import { ConnectionCard } from "@/components/panel/connection-card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getOAuth } from "@/lib/oauth";

export const metadata = { title: "Connections" };

export default async function ConnectionsPage({ searchParams }: { searchParams: Promise<{ oauth?: string; provider?: string }> }) {
  const { oauth, provider } = await searchParams;
  const actor = await guardPage(requireUser, "/panel/connections");
  const connections = await (await getOAuth()).list(actor);
  // The callback appends ?oauth=connected&provider=<id>; name the provider as the list does when it can.
  const connectedName =
    oauth === "connected" && provider ? (connections.find((c) => c.providerId === provider)?.providerName ?? provider) : null;
  return (
    <>
      <PageHeader
        title="Connections"
        description="Accounts at other services that your extensions use on your behalf. Latchkey keeps the tokens encrypted and refreshes them; nobody ever sees them."
      />
      {connectedName ? (
        <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800 ring-1 ring-emerald-200">
          Connected {connectedName}.
        </p>
      ) : null}
      {connections.length === 0 ? (
        <EmptyState title="No connections yet">
          Connections are made when you set up an installed extension that signs in to another service with OAuth: its setup asks you to
          connect, and the connection then shows here.
        </EmptyState>
      ) : (
        <ul className="space-y-4" aria-label="Connections">
          {connections.map((c) => (
            <ConnectionCard key={c.id} connection={c} disconnect={disconnectAction} />
          ))}
        </ul>
      )}
    </>
  );
}
