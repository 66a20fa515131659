"use client";

import { signOut } from "next-auth/react";
import { useTransition } from "react";

export function SignOutButton() {
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      onClick={() => startTransition(() => signOut({ callbackUrl: "/signin" }))}
      disabled={pending}
      className="rounded-md px-3 py-2 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
