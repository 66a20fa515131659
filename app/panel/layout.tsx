import type { ReactNode } from "react";
import { NotificationBell } from "@/components/panel/notification-bell";
import { NavLink } from "@/components/shell/nav-link";
import { requireOrgRole } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { unreadCount } from "@/lib/extensions/notifications";

export default async function PanelLayout({ children }: { children: ReactNode }) {
  const { actor } = await guardPage((actor) => requireOrgRole(actor, undefined), "/panel");
  const count = await unreadCount(await getDb(), actor);
  return (
    <>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 pb-3">
        <nav aria-label="Panel" className="flex flex-wrap gap-1">
          <NavLink href="/panel/connections">Connections</NavLink>
        </nav>
        <NotificationBell count={count} />
      </div>
      {children}
    </>
  );
}
