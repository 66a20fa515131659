import type { ReactNode } from "react";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await guardPage(requirePlatformAdmin, "/admin");
  return children;
}
