import Link from "next/link";
import type { ReactNode } from "react";
import { NavLink } from "./nav-link";
import { SignOutButton } from "./sign-out-button";

export interface ShellPerson {
  name: string;
  email: string;
  areas: { href: string; label: string }[];
}

/** The frame around every signed-in page: brand, the areas this person may use, who is signed in. */
export function AppShell({ person, children }: { person: ShellPerson | null; children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
          <Link href="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <img src="/favicon.svg" alt="" width={24} height={24} />
            Latchkey
          </Link>
          {person ? (
            <>
              <nav aria-label="Areas" className="order-3 -mx-1 flex w-full gap-1 overflow-x-auto sm:order-none sm:w-auto">
                {person.areas.map((area) => (
                  <NavLink key={area.href} href={area.href}>
                    {area.label}
                  </NavLink>
                ))}
              </nav>
              <div className="ml-auto flex items-center gap-2">
                <span className="hidden text-right text-sm leading-tight sm:block">
                  <span className="block font-medium text-slate-800">{person.name}</span>
                  <span className="block text-xs text-slate-500">{person.email}</span>
                </span>
                <SignOutButton />
              </div>
            </>
          ) : (
            <Link href="/signin" className="ml-auto text-sm font-medium text-brand-700 hover:underline">
              Sign in
            </Link>
          )}
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
        {children}
      </main>
    </div>
  );
}
