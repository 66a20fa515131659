// The second row of navigation inside an area (Panel, Publisher, Admin): every page of the area that is
// not reached through one of its items is listed here, so nothing is linked from nowhere. On a narrow
// screen the items wrap onto a second line rather than hiding past the edge.
import type { ReactNode } from "react";
import { NavLink } from "./nav-link";

export interface SubNavItem {
  href: string;
  label: string;
  /** Active on this path only (an area's home), not on the pages below it. */
  exact?: boolean;
  /** Also active below these paths (the pages the item's list opens). */
  alsoUnder?: string[];
}

/** `label` names the navigation landmark ("Panel", …); `aside` sits at the row's end (the bell). */
export function SubNav({ label, items, aside }: { label: string; items: SubNavItem[]; aside?: ReactNode }) {
  return (
    <div className="mb-6 flex items-center justify-between gap-2 border-b border-slate-200 pb-3">
      <nav aria-label={label} className="-mx-1 flex min-w-0 flex-wrap gap-1 px-1 py-0.5">
        {items.map((item) => (
          <NavLink key={item.href} href={item.href} exact={item.exact} alsoUnder={item.alsoUnder}>
            {item.label}
          </NavLink>
        ))}
      </nav>
      {aside}
    </div>
  );
}
