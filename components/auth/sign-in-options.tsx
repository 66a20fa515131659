"use client";

import { signIn } from "next-auth/react";
import { useState } from "react";
import { Button } from "@/components/ui/button";

interface Props {
  demoPeople: { key: string; name: string; email: string; hint: string }[];
  providers: { id: string; name: string }[];
  callbackUrl: string;
}

export function SignInOptions({ demoPeople, providers, callbackUrl }: Props) {
  const [pending, setPending] = useState<string | null>(null);
  return (
    <div className="mt-4 space-y-6">
      {demoPeople.length > 0 ? (
        <section aria-labelledby="demo-heading">
          <h2 id="demo-heading" className="text-sm font-medium text-slate-700">
            Demo sign-in
          </h2>
          <p className="mt-1 text-xs text-slate-500">Demo mode is on: pick a seeded person. No password needed.</p>
          <ul className="mt-3 space-y-2">
            {demoPeople.map((person) => (
              <li key={person.key}>
                <button
                  type="button"
                  disabled={pending !== null}
                  onClick={() => {
                    setPending(person.key);
                    void signIn("demo", { person: person.key, callbackUrl });
                  }}
                  className="flex w-full items-center justify-between gap-3 rounded-lg px-4 py-3 text-left ring-1 ring-slate-200 hover:bg-slate-50 disabled:opacity-60"
                >
                  <span>
                    <span className="block font-medium text-slate-900">Sign in as {person.name}</span>
                    <span className="block text-xs text-slate-500">{person.hint || person.email}</span>
                  </span>
                  <span aria-hidden className="text-slate-400">
                    {pending === person.key ? "…" : "→"}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {providers.length > 0 ? (
        <section className="space-y-2">
          {providers.map((provider) => (
            <Button
              key={provider.id}
              variant="secondary"
              className="w-full"
              disabled={pending !== null}
              onClick={() => {
                setPending(provider.id);
                void signIn(provider.id, { callbackUrl });
              }}
            >
              Continue with {provider.name}
            </Button>
          ))}
        </section>
      ) : null}
      {demoPeople.length === 0 && providers.length === 0 ? (
        <p className="text-sm text-slate-600">No sign-in method is configured. Set OIDC_ISSUER or GITHUB_ID (see README).</p>
      ) : null}
    </div>
  );
}
