// How Latchkey talks HTTP to a provider: HTTPS except on loopback, a timeout, a size cap, and the
// provider's non-conforming answers rewritten into RFC 6749 shape before oauth4webapi reads them.
import * as oauth from "oauth4webapi";
import { isObject, ProviderRequestError } from "./provider-error";
import type { ProviderConfig } from "./provider-config";

/** Plain HTTP is accepted only on loopback (the demo provider and tests); anywhere else HTTPS. */
export function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "http:" && (hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]");
  } catch {
    return false;
  }
}

/** How long a provider request may take (ms). */
export const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The largest access or refresh token Latchkey stores: 16 KiB of UTF-8. Real tokens are far smaller
 * (Google documents up to 2048 bytes; Microsoft's JWT access tokens stay within a few KiB, and within
 * the 16 KiB HTTP header size common servers accept), and a token is copied into every `store_as` secret and
 * runtime answer: a larger one is a provider error, never stored.
 */
export const MAX_TOKEN_BYTES = 16 * 1024;
/**
 * The largest provider answer read: 32 MiB, far beyond any real answer, so one carrying an oversized token
 * is still read whole and a rotated refresh token in it is not lost; anything larger is not read at all.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

function insecure(url: string) {
  return isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/** Reads a body up to `cap` bytes; a larger one is a provider error (retryable) and is not read further. */
async function readCapped(provider: ProviderConfig, response: Response, cap: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new ProviderRequestError("retryable", "response_too_large", `${provider.displayName} sent an answer larger than ${cap} bytes.`);
  if (Number(response.headers.get("content-length")) > cap) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > cap) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** What an answer carried that must outlive the answer being refused: a rotated refresh token. */
export interface Salvage {
  refreshToken: string | null;
}

/** Token answer members RFC 6749 §5.1 defines; a JSON `null` in one of them means it is absent (Notion's `refresh_token`, Mailchimp's `scope`). */
const TOKEN_MEMBERS = ["access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token"];

/**
 * The fetch oauth4webapi uses for a provider: a timeout, a size cap, and the provider's non-conforming
 * answers rewritten into RFC 6749 shape before oauth4webapi reads them — Slack's and GitHub's HTTP-200
 * errors become 400 error answers; an error whose code is in another member (`errorField`, HubSpot's
 * `status`) gets it as `error`; in a token answer, standard members that are `null` are dropped and a
 * missing `token_type` (required by RFC 6749 §5.1, yet omitted by some) is read as Bearer, the only type
 * anyone omits. A refresh token in a 200 answer is noted in `salvage` before anything else can refuse the answer.
 */
export function providerFetch(provider: ProviderConfig, salvage?: Salvage): typeof fetch {
  const { okEnvelope, errorsWith200, errorField, errorDescriptionField } = provider.quirks;
  return async (input, init) => {
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const bytes = await readCapped(provider, response, MAX_RESPONSE_BYTES);
    const headers = new Headers(response.headers);
    // The body below is decoded and may be rewritten: its length and encoding headers no longer apply.
    headers.delete("content-length");
    headers.delete("content-encoding");
    const answer = (body: Uint8Array<ArrayBuffer> | string, status = response.status) =>
      new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText: response.statusText, headers });
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return answer(bytes);
    }
    if (!isObject(body)) return answer(bytes);
    const asError = (status: number) => {
      const code =
        typeof body.error === "string" ? body.error : errorField && typeof body[errorField] === "string" ? body[errorField] : null;
      const describedBy = typeof body.error_description === "string" ? body.error_description : body[errorDescriptionField ?? ""];
      headers.set("content-type", "application/json");
      const error = code ?? "invalid_request";
      return answer(JSON.stringify({ error, error_description: typeof describedBy === "string" ? describedBy : error }), status);
    };
    if (response.status !== 200) {
      return errorField && typeof body.error !== "string" && typeof body[errorField] === "string"
        ? asError(response.status)
        : answer(bytes);
    }
    if ((okEnvelope && body.ok === false) || (errorsWith200 && typeof body.error === "string")) return asError(400);
    const refreshToken = body.refresh_token;
    if (salvage && typeof refreshToken === "string" && refreshToken !== "" && Buffer.byteLength(refreshToken) <= MAX_TOKEN_BYTES) {
      salvage.refreshToken = refreshToken;
    }
    if (typeof body.access_token !== "string") return answer(bytes);
    const nulls = TOKEN_MEMBERS.filter((m) => body[m] === null);
    if (nulls.length === 0 && body.token_type !== undefined) return answer(bytes);
    const normalized = Object.fromEntries(Object.entries(body).filter(([key, value]) => !(value === null && nulls.includes(key))));
    return answer(JSON.stringify({ ...normalized, token_type: normalized.token_type ?? "Bearer" }));
  };
}

export function requestOptions(provider: ProviderConfig, url: string, salvage?: Salvage) {
  return { ...insecure(url), [oauth.customFetch]: providerFetch(provider, salvage), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
}
