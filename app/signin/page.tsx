import { redirect } from "next/navigation";
import { Card } from "@/components/ui/card";
import { SignInOptions } from "@/components/auth/sign-in-options";
import { listDemoPeople } from "@/lib/auth/demo";
import { getActor } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

export const metadata = { title: "Sign in" };

const errors: Record<string, string> = {
  CredentialsSignin: "That demo person could not be signed in. Demo sign-in works only in demo mode.",
  OAuthSignin: "The identity provider could not be reached. Try again.",
  OAuthCallback: "The identity provider's answer could not be used. Try again.",
  AccessDenied: "Sign-in was refused.",
};

function localPath(value: string | undefined): string {
  return value && value.startsWith("/") && !value.startsWith("//") ? value : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  const { callbackUrl, error } = await searchParams;
  const returnTo = localPath(callbackUrl);
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
          {errors[error] ?? "Sign-in failed. Try again."}
        </p>
      ) : null}
      <SignInOptions demoPeople={demoPeople} providers={providers} callbackUrl={returnTo} />
    </Card>
  );
}
