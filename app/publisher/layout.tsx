import type { ReactNode } from "react";
import { SubNav } from "@/components/shell/sub-nav";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export default async function PublisherLayout({ children }: { children: ReactNode }) {
  await guardPage((actor) => requirePublisherMember(actor), "/publisher");
  return (
    <>
      <SubNav
        label="Publisher"
        items={[
          { href: "/publisher", label: "Extensions", exact: true, alsoUnder: ["/publisher/extensions"] },
          { href: "/publisher/tokens", label: "API tokens" },
        ]}
      />
      {children}
    </>
  );
}
