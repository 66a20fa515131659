"use client";

// The public Verify form: paste an exported audit event (or its leaf hash) and see, checked in this
// browser, whether it is in the log — at which index of which signed checkpoint, and in which chain block
// and transaction a checkpoint covering it was anchored. The server only hands over proof material
// (lib/audit/verify-pasted.ts checks it); an edited event is rejected, saying what gives it away.
import { useId, useState, type FormEvent } from "react";
import type { LogPublicKey } from "@/lib/audit/browser-verify";
import { judge, readPasted, type InclusionAnswer, type PastedVerdict } from "@/lib/audit/verify-pasted";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";

type Outcome = PastedVerdict | { verdict: "error"; message: string };

async function errorMessage(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: { message?: string; request_id?: string } } | null;
  const message = body?.error?.message ?? `The log answered HTTP ${response.status}.`;
  return body?.error?.request_id ? `${message} (request ${body.error.request_id})` : message;
}

async function check(text: string): Promise<Outcome> {
  const pasted = await readPasted(text);
  if (pasted.kind === "invalid") return { verdict: "rejected", message: pasted.message };
  const [keyResponse, proofResponse] = await Promise.all([
    fetch("/api/v1/audit/public-key", { headers: { accept: "application/json" } }),
    fetch("/api/v1/audit/verify", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ content_hash: pasted.leafHash }),
    }),
  ]);
  if (!keyResponse.ok) return { verdict: "error", message: await errorMessage(keyResponse) };
  const key = (await keyResponse.json()) as LogPublicKey & { key_id: string };
  if (proofResponse.status === 404) return judge(pasted, null, key);
  if (!proofResponse.ok) return { verdict: "error", message: await errorMessage(proofResponse) };
  return judge(pasted, (await proofResponse.json()) as InclusionAnswer, key);
}

export function VerifyForm() {
  const id = useId();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      setOutcome(await check(text));
    } catch (error) {
      setOutcome({ verdict: "error", message: `Could not check it: ${(error as Error).message}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="space-y-4">
      <form onSubmit={onSubmit} className="space-y-3">
        <label htmlFor={`${id}-event`} className="block text-sm font-medium text-slate-800">
          Exported event or leaf hash
        </label>
        <textarea
          id={`${id}-event`}
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
          spellCheck={false}
          placeholder='{"leaf_index":0,"leaf_hash":"…","entry":{…}}  or  a 64-character leaf hash'
          className="w-full rounded-md border border-slate-300 p-3 font-mono text-xs text-slate-800 focus:border-brand-500 focus:outline-none focus:ring-2 focus:ring-brand-200"
        />
        <Button type="submit" disabled={busy || text.trim() === ""}>
          {busy ? "Checking…" : "Verify"}
        </Button>
      </form>
      {outcome ? <Result outcome={outcome} /> : null}
    </div>
  );
}

function Result({ outcome }: { outcome: Outcome }) {
  if (outcome.verdict === "rejected" || outcome.verdict === "error") {
    return (
      <div role="alert" className="rounded-md bg-red-50 p-4 text-sm text-red-800 ring-1 ring-red-200">
        <p className="font-semibold">{outcome.verdict === "rejected" ? "Not verified" : "Could not verify"}</p>
        <p className="mt-1 break-words">{outcome.message}</p>
      </div>
    );
  }
  if (outcome.verdict === "pending") {
    return (
      <div role="status" className="rounded-md bg-amber-50 p-4 text-sm text-amber-900 ring-1 ring-amber-200">
        <p className="font-semibold">In the log, not yet signed</p>
        <p className="mt-1">It is at leaf {outcome.leafIndex}, after the latest signed checkpoint. Try again in a few seconds.</p>
      </div>
    );
  }
  return (
    <div role="status" className="space-y-2 rounded-md bg-emerald-50 p-4 text-sm text-emerald-900 ring-1 ring-emerald-200">
      <p className="font-semibold">{outcome.verdict === "verified" ? "Verified" : "Included"}</p>
      <p>
        {outcome.verdict === "verified" ? "This event, hashed in your browser, is" : "This leaf hash is"} included at index{" "}
        <strong>{outcome.leafIndex}</strong> of a checkpoint of size <strong>{outcome.treeSize}</strong> signed by the log&apos;s key (
        <code className="break-all">{outcome.origin}</code>, key id <code>{outcome.keyId}</code>) on{" "}
        {outcome.signedAt.replace("T", " ").slice(0, 19)} UTC.
      </p>
      {outcome.chain ? (
        <p>
          Anchored on chain {outcome.chain.chainId ?? "?"} in a checkpoint of size {outcome.chain.treeSize}:{" "}
          {outcome.chain.blockNumber !== null ? (
            <>
              block <strong>{outcome.chain.blockNumber}</strong>,{" "}
            </>
          ) : null}
          transaction <code className="break-all">{outcome.chain.transaction ?? "not sent yet"}</code>{" "}
          <Badge tone={outcome.chain.status === "confirmed" ? "success" : "warning"}>{outcome.chain.status}</Badge>
        </p>
      ) : (
        <p>No chain anchor covers it yet: checkpoint roots go to the chain once per anchoring interval.</p>
      )}
      {outcome.anchors.length > 0 ? (
        <p className="flex flex-wrap items-center gap-2">
          Anchors of the signed checkpoint:
          {outcome.anchors.map((a) => (
            <Badge key={a.sink} tone={a.status === "confirmed" ? "success" : a.status === "failed" ? "danger" : "neutral"}>
              {a.sink}: {a.status}
            </Badge>
          ))}
        </p>
      ) : null}
    </div>
  );
}
