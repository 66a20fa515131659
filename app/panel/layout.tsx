import type { ReactNode } from "react";
import { NotificationBell } from "@/components/panel/notification-bell";
import { SubNav } from "@/components/shell/sub-nav";
import { requireOrgRole } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { unreadCount } from "@/lib/extensions/notifications";

export default async function PanelLayout({ children }: { children: ReactNode }) {
  const { actor } = await guardPage((actor) => requireOrgRole(actor, undefined), "/panel");
  const count = await unreadCount(await getDb(), actor);
  return (
    <>
      <SubNav
        label="Panel"
        items={[
          { href: "/panel", label: "Extensions", exact: true, alsoUnder: ["/panel/extensions"] },
          { href: "/panel/connections", label: "Connections" },
          { href: "/panel/activity", label: "Your activity" },
        ]}
        aside={<NotificationBell count={count} />}
      />
      {children}
    </>
  );
}
