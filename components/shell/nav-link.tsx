"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

/**
 * A navigation link marked as the current page (aria-current) on its path and, unless `exact`, below it;
 * also below any of `alsoUnder` (an area's home stays marked on the pages its list opens).
 */
export function NavLink({
  href,
  exact = false,
  alsoUnder = [],
  children,
}: {
  href: string;
  exact?: boolean;
  alsoUnder?: string[];
  children: React.ReactNode;
}) {
  const pathname = usePathname();
  const under = (prefix: string) => pathname.startsWith(`${prefix}/`);
  const active = pathname === href || (!exact && under(href)) || alsoUnder.some(under);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium",
        active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900",
      )}
    >
      {children}
    </Link>
  );
}
