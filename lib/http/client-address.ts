// Who sent a request, as far as Latchkey can know it: the client address recorded in the audit trail and
// used as the key of per-address rate limits, and the source (kind, address, user agent) every audited
// operation carries. The one place that reads `X-Forwarded-For`, so the audit trail and the limiters agree.
//
// The left-most X-Forwarded-For entry is whatever the client wrote; only entries appended by proxies
// Latchkey trusts say where a request came from. With N trusted hops (LATCHKEY_TRUSTED_PROXY_HOPS), the
// N-th entry from the right is the address the outermost trusted proxy saw. With 0 hops the header is
// ignored: Next's server only fills it in with the socket address when the client sent none
// (`??=` in next/dist/server/base-server.js), so with no proxy in front it is still the client's claim,
// and Next gives route handlers no socket address. The address is then unknown (null), and per-address
// limits count every such caller together (see RATE_LIMIT_UNKNOWN_CLIENT in rate-limit.ts).
import { isIP } from "node:net";
import type { AuditSource, SourceKind } from "@/lib/audit/events";
import { env } from "@/lib/env";

/** User agents are recorded up to this many characters (UTF-16 code units); the rest is cut off. */
export const USER_AGENT_MAX_LENGTH = 256;

/** The most proxy hops LATCHKEY_TRUSTED_PROXY_HOPS accepts (a longer chain is a misconfiguration). */
export const MAX_TRUSTED_PROXY_HOPS = 10;

/** What these helpers read from a request: a Fetch `Headers` or Next's `headers()`. */
export type HeaderSource = Pick<Headers, "get">;

export interface ClientAddressOptions {
  /**
   * How many reverse proxies in front of Latchkey append to X-Forwarded-For and are trusted to do so
   * (0 to 10). Defaults to LATCHKEY_TRUSTED_PROXY_HOPS.
   */
  trustedHops?: number;
}

/**
 * One X-Forwarded-For entry as an IP address, or null when it is not one. Accepts the forms proxies
 * write: `203.0.113.9`, `2001:db8::1`, `[2001:db8::1]`, `[2001:db8::1]:443`, `203.0.113.9:443`.
 * IPv6 comes back lower-case, and an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`, what a dual-stack
 * socket reports) as the IPv4 address, so one client has one key. Validation is node:net's `isIP`.
 */
export function parseAddress(entry: string): string | null {
  let candidate = entry.trim();
  if (candidate.length === 0 || candidate.length > 64) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed?.[1]) candidate = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(candidate)) candidate = candidate.slice(0, candidate.lastIndexOf(":"));
  // A zone index (fe80::1%eth0) names an interface of the proxy's host, not a client.
  if (candidate.includes("%")) return null;
  const version = isIP(candidate);
  if (version === 4) return candidate;
  if (version !== 6) return null;
  const lower = candidate.toLowerCase();
  const mapped = /^(?:::|(?:0{1,4}:){5})ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  return mapped?.[1] && isIP(mapped[1]) === 4 ? mapped[1] : lower;
}

/**
 * The client's address: with `trustedHops` = N ≥ 1, the N-th X-Forwarded-For entry from the right (the
 * entries left of it were written by the client or untrusted hops and are ignored), validated as an IP
 * address; with N = 0 the header is not read at all.
 *
 * @returns the address, or null when it cannot be known: no trusted hops, no header, fewer entries than
 *   trusted hops (the request did not come through them all), or an entry that is not an IP address
 */
export function clientAddress(headers: HeaderSource, options: ClientAddressOptions = {}): string | null {
  const hops = options.trustedHops ?? env().LATCHKEY_TRUSTED_PROXY_HOPS;
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_TRUSTED_PROXY_HOPS) return null;
  // Several X-Forwarded-For fields arrive joined with ", " (RFC 9110 §5.3), in the order they were sent.
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded) return null;
  const entries = forwarded.split(",");
  const entry = entries[entries.length - hops];
  return entry === undefined ? null : parseAddress(entry);
}

/** The user agent as recorded: at most USER_AGENT_MAX_LENGTH characters, null when absent or blank. */
export function userAgentOf(headers: HeaderSource): string | null {
  const agent = headers.get("user-agent")?.trim();
  return agent ? agent.slice(0, USER_AGENT_MAX_LENGTH) : null;
}

/**
 * The audit source of a request: its kind (`ui` for pages and server actions, `api` for API callers,
 * `cli` for the publisher CLI), the client address (`clientAddress`) and the user agent (`userAgentOf`).
 */
export function requestSource(headers: HeaderSource, kind: SourceKind, options: ClientAddressOptions = {}): AuditSource {
  return { kind, ip: clientAddress(headers, options), userAgent: userAgentOf(headers) };
}
