// The keyring behind the vault: which backend, the current key-encryption key, and for every KEK how
// many data keys and stored values it wraps (what `npm run keys:status` prints). Rotation and
// retirement stay operator commands.
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { keyringState } from "@/lib/admin/overview";
import { requirePlatformAdmin } from "@/lib/auth/guards";
import { guardPage } from "@/lib/auth/session";
import { getVault } from "@/lib/vault";

export const metadata = { title: "Keyring" };
export const dynamic = "force-dynamic";

const tone = { current: "success", active: "brand", retired: "neutral", unknown: "danger" } as const;

export default async function AdminKeysPage() {
  await guardPage(requirePlatformAdmin, "/admin/keys");
  const state = await getVault()
    .then(keyringState)
    .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
  return (
    <>
      <PageHeader
        title="Keyring"
        description="Key-encryption keys wrap the data keys that seal every value. Rotate with npm run keys:rotate; retire a key once it wraps nothing."
      />
      {typeof state === "string" ? (
        <Card>
          <p role="alert" className="text-sm text-red-700">
            The keyring cannot be used: {state}
          </p>
        </Card>
      ) : (
        <>
          <p className="mb-4 text-sm text-slate-700">
            Backend: <strong>{state.kind === "aws-kms" ? "AWS KMS" : "local key file"}</strong> · current key{" "}
            <span className="break-all font-mono text-xs">{state.currentKekId}</span>
          </p>
          <ul className="grid gap-3 md:grid-cols-2" aria-label="Key-encryption keys">
            {state.keks.map((k) => (
              <li key={k.id} className="min-w-0 rounded-xl bg-white p-4 shadow-sm ring-1 ring-slate-200">
                <div className="flex flex-wrap items-start justify-between gap-2">
                  <p className="min-w-0 break-all font-mono text-sm text-slate-900">{k.id}</p>
                  <Badge tone={tone[k.state]}>{k.state === "unknown" ? "Not in the keyring" : k.state}</Badge>
                </div>
                <p className="mt-2 text-sm text-slate-600">
                  {k.deks} data {k.deks === 1 ? "key" : "keys"}, {k.values} stored {k.values === 1 ? "value" : "values"}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
