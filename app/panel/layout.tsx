import type { ReactNode } from "react";
import { requireOrgRole } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export default async function PanelLayout({ children }: { children: ReactNode }) {
  await guardPage((actor) => requireOrgRole(actor, undefined), "/panel");
  return children;
}
