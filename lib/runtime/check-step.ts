// A setup wizard's `test` step: calls the extension's check endpoint (its `endpoint` path on the
// manifest's `extension.base_url`) as the platform would dispatch to it — with a runtime token for this
// installation and person — and reports the answer. The call is a server-side request to a URL a
// publisher wrote, so it is fenced in: the endpoint must be a path that keeps base_url's origin (checked
// again here for versions stored before upload enforced it), the address is checked after DNS resolution
// at connect time (request-filtering-agent; private, loopback and link-local addresses only when
// development allows them), the token carries only the `check` scope and lives 30 seconds, and the call
// is bounded: 5-second timeout, no redirects followed, at most 2 KB of the answer read.
import http from "node:http";
import https from "node:https";
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from "request-filtering-agent";
import { logger } from "@/lib/logger";
import { endpointPathProblem } from "@/lib/manifest/schema";
import { mintRuntimeToken } from "@/lib/runtime/dispatch";
import type { RuntimeDeps } from "@/lib/runtime/deps";
import { ExtensionError } from "@/lib/extensions/errors";
import { getMemberInstallation, type PanelCall } from "@/lib/extensions/panel-secrets";
import { wizardSteps } from "@/lib/extensions/setup-wizard";

export interface CheckResult {
  ok: boolean;
  status: number | null;
  /** What happened, in words: the success message, or why it failed. */
  message: string;
  /** The first 2 KB of the answer, as text (shown escaped). */
  body: string;
}

/** How a check may reach the network. */
export interface CheckOptions {
  /**
   * Whether the check may connect to private, loopback, link-local and other non-public addresses: true
   * only for development, where the extension runs on this machine or network. The app takes it from
   * LATCHKEY_CHECK_ALLOW_PRIVATE_ADDRESSES (default: on in demo mode). Default false.
   */
  allowPrivateAddresses?: boolean;
}

const TIMEOUT_MS = 5000;
const MAX_BODY = 2048;
/** The check token's lifetime: the 5-second call plus room for clock difference, and no more. */
export const CHECK_TOKEN_TTL_SECONDS = 30;

type Resolved = { url: URL } | { problem: string };

/** The check URL: `endpoint` as a path under base_url's path, on base_url's origin; or why not. */
function checkUrl(baseUrl: string, endpoint: string): Resolved {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return { problem: `The extension's base_url (${baseUrl}) is not a URL, so its check endpoint was not called.` };
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(base.hostname);
  if (base.protocol !== "https:" && !(base.protocol === "http:" && loopback)) {
    return { problem: `The extension's base_url (${baseUrl}) must be an https URL, so its check endpoint was not called.` };
  }
  const problem = endpointPathProblem(endpoint);
  if (problem) {
    return {
      problem: `This version's check endpoint (${JSON.stringify(endpoint)}) is not a path on ${base.origin}: it ${problem}. Nothing was called; the publisher must fix the manifest.`,
    };
  }
  const url = new URL(`${base.pathname.replace(/\/+$/, "")}${endpoint}`, base);
  if (url.origin !== base.origin) {
    return {
      problem: `This version's check endpoint (${JSON.stringify(endpoint)}) resolves to ${url.origin}, not the extension's ${base.origin}. Nothing was called.`,
    };
  }
  return { url };
}

class BlockedAddress extends Error {}

/**
 * One GET through a filtering agent: the resolved address is checked when the socket connects (so a
 * name re-bound to 127.0.0.1 after any earlier look-up is still refused). Node's http client follows no
 * redirects. Resolves with the status and the first MAX_BODY bytes, then drops the connection.
 */
function get(url: URL, token: string, options: CheckOptions, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const filter = { allowPrivateIPAddress: options.allowPrivateAddresses === true, keepAlive: false };
  const agent = url.protocol === "https:" ? new RequestFilteringHttpsAgent(filter) : new RequestFilteringHttpAgent(filter);
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = send(
      url,
      { method: "GET", agent, signal, headers: { authorization: `Bearer ${token}`, accept: "application/json, text/plain" } },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString("utf8") });
          response.destroy();
        };
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.byteLength;
          if (size >= MAX_BODY) done();
        });
        response.on("end", done);
        response.on("error", reject);
      },
    );
    request.on("error", (error) => {
      // request-filtering-agent refuses with a plain Error before connecting; its wording is all that tells it apart.
      reject(/^DNS lookup .* is not allowed/.test(error.message) ? new BlockedAddress(error.message, { cause: error }) : error);
    });
    request.end();
  }).finally(() => agent.destroy());
}

/**
 * Runs step `stepIndex` (a `test` step) of an installation's setup wizard for a member of its
 * organization, and says what happened. A refusal to call (no or bad base_url, an endpoint off base_url's
 * origin, an address outside what `options` allows), a timeout and an unreachable host are results with
 * `ok: false` and a message, not errors. Throws ExtensionError("not_found") for an installation outside
 * the caller's organizations or a step with no check.
 */
export async function runCheckStep(
  runtime: RuntimeDeps,
  call: PanelCall,
  installationId: string,
  stepIndex: number,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const found = await getMemberInstallation(runtime.db, call.actor, installationId);
  const step = wizardSteps(found.version.manifest, found.declared).find((s) => s.index === stepIndex);
  if (!step || step.kind !== "test" || !step.endpoint) throw new ExtensionError("not_found", "This setup step has no check to run.");
  const manifest = found.version.manifest as { extension?: { base_url?: unknown } };
  const baseUrl = typeof manifest.extension?.base_url === "string" ? manifest.extension.base_url : null;
  if (!baseUrl) {
    const message = `${found.extension.name} does not declare extension.base_url, so Latchkey cannot reach its check endpoint ${step.endpoint}.`;
    return { ok: false, status: null, message, body: "" };
  }
  const resolved = checkUrl(baseUrl, step.endpoint);
  if ("problem" in resolved) {
    logger.warn({ installation: installationId, extension: found.extension.id, step: stepIndex }, "check endpoint refused before calling");
    return { ok: false, status: null, message: resolved.problem, body: "" };
  }
  const { url } = resolved;
  const { token } = await mintRuntimeToken(runtime, {
    installationId,
    userId: call.actor.userId,
    scopes: ["check"],
    ttlSeconds: CHECK_TOKEN_TTL_SECONDS,
  });
  const deadline = AbortSignal.timeout(TIMEOUT_MS);
  let answer: { status: number; body: string };
  try {
    answer = await get(url, token, options, deadline);
  } catch (error) {
    if (error instanceof BlockedAddress) {
      logger.warn({ installation: installationId, extension: found.extension.id, host: url.host }, "check endpoint address refused");
      return {
        ok: false,
        status: null,
        message: `${url.host} resolves to a private, loopback, link-local or metadata address, which Latchkey calls only in development. Nothing was sent.`,
        body: "",
      };
    }
    return {
      ok: false,
      status: null,
      message: deadline.aborted ? `${url.href} did not answer within ${TIMEOUT_MS / 1000} seconds.` : `${url.href} could not be reached.`,
      body: "",
    };
  }
  const ok = answer.status >= 200 && answer.status < 300;
  return {
    ok,
    status: answer.status,
    message: ok ? (step.successMessage ?? `The check passed (HTTP ${answer.status}).`) : `The check failed with HTTP ${answer.status}.`,
    body: answer.body,
  };
}
