import Link from "next/link";
import { CreateTokenForm, RevokeTokenButton } from "@/components/publisher/token-forms";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { RelativeTime } from "@/components/ui/relative-time";
import { requirePublisherMember } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listApiTokens } from "@/lib/extensions/api-tokens";
import { createApiTokenAction, revokeApiTokenAction } from "../actions/api-tokens";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const { actor, publisher } = await guardPage((a) => requirePublisherMember(a), "/publisher/tokens");
  const tokens = await listApiTokens(await getDb(), actor, publisher.id);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/publisher" className="text-brand-700 hover:underline">
          ← Publisher Dashboard
        </Link>
      </p>
      <PageHeader
        title="API tokens"
        description={`Tokens for the latchkey CLI and the publisher API, acting as you within ${publisher.name}.`}
      />
      <Card aria-labelledby="create-token">
        <h2 id="create-token" className="mb-3 font-semibold">
          Create a token
        </h2>
        <CreateTokenForm action={createApiTokenAction} publisherId={publisher.id} />
      </Card>
      <ul className="mt-6 divide-y divide-slate-200 rounded-xl bg-white shadow-sm ring-1 ring-slate-200" aria-label="API tokens">
        {tokens.length === 0 ? <li className="p-4 text-sm text-slate-500">No tokens yet.</li> : null}
        {tokens.map((t) => (
          <li key={t.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
            <div className="min-w-0">
              <p className="font-medium">{t.name}</p>
              <p className="text-xs text-slate-500">
                <span className="font-mono">{t.prefix}…</span> · created <RelativeTime value={t.createdAt} /> · last used{" "}
                {t.lastUsedAt ? <RelativeTime value={t.lastUsedAt} /> : "never"}
              </p>
            </div>
            {t.revokedAt ? (
              <Badge tone="danger">
                Revoked&nbsp;
                <RelativeTime value={t.revokedAt} />
              </Badge>
            ) : (
              <RevokeTokenButton action={revokeApiTokenAction} publisherId={publisher.id} tokenId={t.id} name={t.name} />
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
