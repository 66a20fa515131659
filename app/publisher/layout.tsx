import type { ReactNode } from "react";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";

export default async function PublisherLayout({ children }: { children: ReactNode }) {
  await guardPage((actor) => requirePublisherMember(actor), "/publisher");
  return children;
}
