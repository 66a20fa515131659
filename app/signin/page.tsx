import Link from "next/link";
import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { SignInOptions } from "@/components/auth/sign-in-options";
import { listDemoPeople } from "@/lib/auth/demo";
import { rateLimitedSignInMessage, SIGN_IN_RATE_LIMITED } from "@/lib/auth/options";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { sameOriginPath } from "@/lib/core/same-origin";

export const metadata = { title: "Sign in" };

const errors: Record<string, string> = {
  CredentialsSignin: "That demo person could not be signed in. Demo sign-in works only in demo mode.",
  OAuthSignin: "The identity provider could not be reached. Try again.",
  OAuthCallback: "The identity provider's answer could not be used. Try again.",
  AccessDenied: "Sign-in was refused.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string | string[]; error?: string; retry_after?: string }>;
}) {
  const { callbackUrl, error, retry_after: retryAfter } = await searchParams;
  // Where to go after signing in comes from the link: only a path on this site, else home.
  const returnTo = (typeof callbackUrl === "string" ? sameOriginPath(callbackUrl, env().LATCHKEY_URL) : null) ?? "/";
  if (await getActor()) redirect(returnTo);
  const config = env();
  const demoPeople = config.demo ? await listDemoPeople(await getDb()) : [];
  const providers = [
    ...(config.OIDC_ISSUER ? [{ id: "oidc", name: config.OIDC_NAME }] : []),
    ...(config.GITHUB_ID ? [{ id: "github", name: "GitHub" }] : []),
  ];
  return (
    <Card className="mx-auto max-w-md">
      <h1 className="text-xl font-semibold">Sign in to Latchkey</h1>
      {error ? (
        <p role="alert" className="mt-3 rounded-md bg-red-50 p-3 text-sm text-red-700">
          {error === SIGN_IN_RATE_LIMITED ? rateLimitedSignInMessage(retryAfter) : (errors[error] ?? "Sign-in failed. Try again.")}
        </p>
      ) : null}
      <SignInOptions demoPeople={demoPeople} providers={providers} callbackUrl={returnTo} />
      <p className="mt-6 border-t border-slate-100 pt-4 text-sm text-slate-600">
        Holding an exported audit event?{" "}
        <Link href="/verify" className="font-medium text-brand-700 hover:underline">
          Verify it
        </Link>{" "}
        without signing in.
      </p>
    </Card>
  );
}
