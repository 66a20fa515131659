// A setup wizard's `test` step: calls the extension's check endpoint (its `endpoint` path on the
// manifest's `extension.base_url`) as the platform would dispatch to it — with a runtime token for this
// installation and person — and reports the answer. Bounded: 5-second timeout, no redirects followed,
// at most 2 KB of the answer read, plain HTTP only to loopback (a local extension under development).
import { mintRuntimeToken } from "@/lib/runtime/dispatch";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { ExtensionError } from "./errors";
import { getMemberInstallation, type PanelCall } from "./panel-secrets";
import { wizardSteps } from "./setup-wizard";

export interface CheckResult {
  ok: boolean;
  status: number | null;
  /** What happened, in words: the success message, or why it failed. */
  message: string;
  /** The first 2 KB of the answer, as text (shown escaped). */
  body: string;
}

const TIMEOUT_MS = 5000;
const MAX_BODY = 2048;

function checkUrl(baseUrl: string, endpoint: string): URL | null {
  try {
    const base = new URL(baseUrl);
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(base.hostname);
    if (base.protocol !== "https:" && !(base.protocol === "http:" && loopback)) return null;
    return new URL(`${base.pathname.replace(/\/+$/, "")}${endpoint}`, base);
  } catch {
    return null;
  }
}

async function readSome(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8");
}

export async function runCheckStep(runtime: RuntimeDeps, call: PanelCall, installationId: string, stepIndex: number): Promise<CheckResult> {
  const found = await getMemberInstallation(runtime.db, call.actor, installationId);
  const step = wizardSteps(found.version.manifest, found.declared).find((s) => s.index === stepIndex);
  if (!step || step.kind !== "test" || !step.endpoint) throw new ExtensionError("not_found", "This setup step has no check to run.");
  const manifest = found.version.manifest as { extension?: { base_url?: unknown } };
  const baseUrl = typeof manifest.extension?.base_url === "string" ? manifest.extension.base_url : null;
  const url = baseUrl ? checkUrl(baseUrl, step.endpoint) : null;
  if (!url) {
    return {
      ok: false,
      status: null,
      message: baseUrl
        ? `The extension's base_url (${baseUrl}) must be an https URL, so its check endpoint was not called.`
        : `${found.extension.name} does not declare extension.base_url, so Latchkey cannot reach its check endpoint ${step.endpoint}.`,
      body: "",
    };
  }
  const { token } = await mintRuntimeToken(runtime, { installationId, userId: call.actor.userId, ttlSeconds: 60 });
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: "application/json, text/plain" },
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    return {
      ok: false,
      status: null,
      message: timedOut ? `${url.href} did not answer within ${TIMEOUT_MS / 1000} seconds.` : `${url.href} could not be reached.`,
      body: "",
    };
  }
  const body = await readSome(response);
  const ok = response.status >= 200 && response.status < 300;
  return {
    ok,
    status: response.status,
    message: ok ? (step.successMessage ?? `The check passed (HTTP ${response.status}).`) : `The check failed with HTTP ${response.status}.`,
    body,
  };
}
