import Link from "next/link";
import { OAuthLink } from "@/components/panel/oauth-link";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/guards";
import { sessionSecret } from "@/lib/auth/options";
import { guardPage } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { verifyErrorLink } from "@/lib/oauth/error-link";

export const metadata = { title: "Connection failed" };

type Query = { code?: string; message?: string; retry?: string; provider?: string; sig?: string };

/** The page's title for an OAuthError code (the callback route sends the code, the message and a retry link). */
function titleFor(code: string, provider: string | null): string {
  if (code === "access_denied") return "You did not grant access";
  if (code.startsWith("state_")) return "This sign-in link is no longer valid";
  if (code === "provider_unavailable") return `${provider ?? "The provider"} is not answering`;
  return "The connection failed";
}

/**
 * Only a path into the OAuth routes on this site is offered as "Try again": anything else in the query
 * (another host, `//host`, `javascript:`) could have been put there by someone else, so it is ignored.
 */
function safeRetry(retry: string | undefined): string | null {
  if (!retry || !retry.startsWith("/api/oauth/") || /[\\\s]/.test(retry)) return null;
  const url = new URL(retry, "http://latchkey.invalid");
  return url.origin === "http://latchkey.invalid" && url.pathname.startsWith("/api/oauth/") ? `${url.pathname}${url.search}` : null;
}

/** The provider for the title: a `provider` the callback sent, else the id in the retry path (/api/oauth/<provider>/authorize). */
function providerOf(provider: string | undefined, retry: string | null): string | null {
  if (provider) return provider.slice(0, 100);
  const id = retry?.match(/^\/api\/oauth\/([^/?]+)\//)?.[1];
  if (!id) return null;
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

export default async function ConnectionErrorPage({ searchParams }: { searchParams: Promise<Query> }) {
  const given = await searchParams;
  await guardPage(requireUser, "/panel/connections");
  // Only what our own callback signed is shown; a crafted link gets the generic page.
  const link = { code: given.code ?? "", provider: given.provider ?? "", message: given.message ?? "", retry: given.retry ?? "" };
  const query = verifyErrorLink(link, given.sig ?? "", sessionSecret(env())) ? given : {};
  const retry = safeRetry(query.retry);
  const code = query.code ?? "";
  return (
    <>
      <PageHeader title={titleFor(code, providerOf(query.provider, retry))} />
      <Card>
        {/* Rendered as text: whatever the query says is never interpreted as HTML. */}
        {query.message ? (
          <p role="alert" className="whitespace-pre-line break-words text-sm text-slate-800">
            {query.message.slice(0, 1000)}
          </p>
        ) : null}
        <p className="mt-2 text-sm text-slate-600">Nothing was stored.</p>
        {code ? <p className="mt-1 break-all text-xs text-slate-500">Error code: {code.slice(0, 60)}</p> : null}
        <div className="mt-5 flex flex-wrap items-center gap-3">
          {retry ? <OAuthLink href={retry}>Try again</OAuthLink> : null}
          <Link
            href="/panel/connections"
            className="inline-flex min-h-10 items-center rounded-md px-4 py-2 text-sm font-medium text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50"
          >
            Go to connections
          </Link>
        </div>
      </Card>
    </>
  );
}
