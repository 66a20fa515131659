import type { ReactNode } from "react";
import { SubNav } from "@/components/shell/sub-nav";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await guardPage(requirePlatformAdmin, "/admin");
  return (
    <>
      <SubNav
        label="Admin"
        items={[
          { href: "/admin", label: "Overview", exact: true },
          { href: "/admin/audit", label: "Audit log" },
          { href: "/admin/connections", label: "Connections" },
          { href: "/admin/keys", label: "Keyring" },
          { href: "/admin/directory", label: "Directory" },
        ]}
      />
      {children}
    </>
  );
}
