// Which of the three areas a person may enter, for navigation. The areas' own guards still decide.
import type { UserActor } from "./actor";

export function areasFor(actor: UserActor): { href: string; label: string }[] {
  const areas: { href: string; label: string }[] = [];
  if (actor.publishers.length > 0) areas.push({ href: "/publisher", label: "Publisher" });
  if (actor.orgs.length > 0) areas.push({ href: "/panel", label: "Panel" });
  if (actor.isPlatformAdmin) areas.push({ href: "/admin", label: "Admin" });
  return areas;
}
