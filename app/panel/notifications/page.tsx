import Link from "next/link";
import { markReadAction } from "@/app/panel/actions/notifications";
import { MarkReadButton } from "@/components/panel/mark-read-button";
import { Badge } from "@/components/ui/badge";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { requireUser } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listNotifications, type NotificationItem } from "@/lib/extensions/notifications";

export const metadata = { title: "Notifications" };

/** Stored links are written by Latchkey itself; still, only a path on this site is ever rendered as one. */
const localLink = (link: string) => (link.startsWith("/") && !link.startsWith("//") && !link.startsWith("/\\") ? link : "/panel");

const kindLabels: Record<NotificationItem["kind"], { label: string; tone: "warning" | "danger" | "success" }> = {
  rotation_due: { label: "Rotation due", tone: "warning" },
  connection_expired: { label: "Connection expired", tone: "danger" },
  connection_degraded: { label: "Connection failing", tone: "warning" },
  connection_restored: { label: "Connection restored", tone: "success" },
};

export default async function NotificationsPage() {
  const actor = await guardPage(requireUser, "/panel/notifications");
  const items = await listNotifications(await getDb(), actor);
  const unreadStored = items.some((n) => !n.read && n.kind !== "rotation_due");
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Connections that need you and secrets due for rotation. Rotation reminders clear when you rotate the secret."
        actions={unreadStored ? <MarkReadButton id="all" label="Mark all read" action={markReadAction} /> : null}
      />
      {items.length === 0 ? (
        <EmptyState title="Nothing needs your attention">Expired connections and secrets due for rotation show up here.</EmptyState>
      ) : (
        <ul
          className="divide-y divide-slate-200 overflow-hidden rounded-xl bg-white shadow-sm ring-1 ring-slate-200"
          aria-label="Notifications"
        >
          {items.map((n) => {
            const kind = kindLabels[n.kind];
            // Problems get "Fix it"; good news just opens the page.
            const fix = n.kind !== "connection_restored";
            return (
              <li key={n.id} className="flex flex-col gap-2 p-4 sm:flex-row sm:items-center sm:justify-between">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2">
                    <Badge tone={kind.tone}>{kind.label}</Badge>
                    {n.read ? <span className="text-xs text-slate-500">Read</span> : <span className="sr-only">Unread</span>}
                  </p>
                  <p className={`mt-1 break-words ${n.read ? "text-slate-600" : "font-medium text-slate-900"}`}>{n.message}</p>
                  <p className="text-xs text-slate-500">
                    {n.kind === "rotation_due" ? "Due since " : null}
                    <RelativeTime value={n.createdAt} />
                  </p>
                </div>
                <Link
                  href={localLink(n.link)}
                  className="self-start rounded-md px-3 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50 sm:self-center"
                >
                  {fix ? "Fix it" : "Open"}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      <p className="mt-6 text-sm">
        <Link href="/panel/connections" className="text-brand-700 hover:underline">
          Manage your connections
        </Link>
      </p>
    </>
  );
}
