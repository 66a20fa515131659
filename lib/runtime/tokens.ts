// Runtime tokens: short-lived ES256 JWTs bound to one installation (and optionally one user), signed
// with the platform's current key. Verification is strict: ES256 only (so `alg: none` and HS256 with
// the public key as secret are refused), our issuer and audience, a known kid, an unexpired token whose
// lifetime is at most 15 minutes, and well-formed claims. Times in a token were written by the host that
// minted it, so iat/nbf/exp are compared with CLOCK_TOLERANCE_SECONDS of leeway for clock difference.
import { randomUUID } from "node:crypto";
import { SignJWT, errors as joseErrors, jwtVerify, type JWTHeaderParameters, type JWTPayload } from "jose";
import { z } from "zod";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import { RuntimeError } from "./errors";
import { RUNTIME_ALG, type SigningKeys } from "./signing-keys";

export const RUNTIME_AUDIENCE = "latchkey-runtime";
export const RUNTIME_TOKEN_TYPE = "latchkey-runtime+jwt";
/** The hard ceiling on a runtime token's lifetime, whatever the configuration says. */
export const MAX_TOKEN_TTL_SECONDS = 900;

/**
 * What a runtime token may do. `check` opens no runtime API route at all: it is the only scope of the
 * token a setup wizard's `test` step sends to the extension's check endpoint, so an endpoint that leaks
 * it (or a host it should not have reached) gets nothing that reads or writes a secret or an OAuth token.
 */
export const runtimeScopes = ["secrets:read", "secrets:write", "oauth:token", "readiness:read", "check"] as const;
export type RuntimeScope = (typeof runtimeScopes)[number];
/** The scopes of a token minted without naming any: every API route, not `check`. */
export const defaultRuntimeScopes: readonly RuntimeScope[] = ["secrets:read", "secrets:write", "oauth:token", "readiness:read"];

const uuid = z.uuid();
const claimsSchema = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  sub: z.string().regex(/^installation:/),
  jti: z.string().min(8),
  iat: z.number().int(),
  exp: z.number().int(),
  installation: uuid,
  extension: uuid,
  org: uuid,
  user: uuid.optional(),
  scopes: z.array(z.enum(runtimeScopes)),
});

/** What a verified runtime token says about its caller. */
export interface RuntimeIdentity {
  installationId: string;
  extensionId: string;
  orgId: string;
  userId: string | null;
  scopes: RuntimeScope[];
  jti: string;
  kid: string;
  expiresAt: Date;
}

export interface TokenClaimsInput {
  installationId: string;
  extensionId: string;
  orgId: string;
  userId?: string | null;
  scopes?: readonly RuntimeScope[];
  ttlSeconds: number;
}

/**
 * Signs claims as given, with no database check: callers are mintRuntimeToken (which checks the
 * installation and membership first) and tests that need validly signed tokens with wrong claims.
 */
export async function signRuntimeClaims(
  keys: SigningKeys,
  issuer: string,
  input: TokenClaimsInput,
  now: Date = new Date(),
): Promise<{ token: string; jti: string; expiresAt: Date }> {
  const ttl = Math.min(Math.max(Math.floor(input.ttlSeconds), 1), MAX_TOKEN_TTL_SECONDS);
  const { kid, privateKey } = await keys.current();
  const iat = Math.floor(now.getTime() / 1000);
  const jti = randomUUID();
  const token = await new SignJWT({
    installation: input.installationId,
    extension: input.extensionId,
    org: input.orgId,
    ...(input.userId ? { user: input.userId } : {}),
    scopes: [...(input.scopes ?? defaultRuntimeScopes)],
  })
    .setProtectedHeader({ alg: RUNTIME_ALG, kid, typ: RUNTIME_TOKEN_TYPE })
    .setIssuer(issuer)
    .setAudience(RUNTIME_AUDIENCE)
    .setSubject(`installation:${input.installationId}`)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttl)
    .sign(privateKey);
  return { token, jti, expiresAt: new Date((iat + ttl) * 1000) };
}

const invalid = (message: string, cause?: unknown) => new RuntimeError("invalid_token", message, {}, { cause });

/** Why a time claim was refused, in seconds against this server's clock, naming the tolerance (RFC 7519 §4.1.4–4.1.6). */
function timeClaimMessage(claim: string, payload: JWTPayload, now: Date): string {
  const nowS = Math.floor(now.getTime() / 1000);
  const value = payload[claim as "iat" | "nbf" | "exp"];
  const skew = `up to ${CLOCK_TOLERANCE_SECONDS} s of clock difference between hosts is accepted`;
  if (typeof value !== "number") return `The token's ${claim} claim is not acceptable.`;
  if (claim === "exp") return `The token expired ${nowS - value} s ago (${skew}); ask the platform for a new one.`;
  if (claim === "iat" && value <= nowS) {
    return `The token was issued ${nowS - value} s ago, more than 15 minutes (${skew}); ask the platform for a new one.`;
  }
  const what = claim === "iat" ? "issued" : "valid from";
  return `The token's ${claim} claim says it is ${what} ${value - nowS} s in the future by this server's clock; ${skew}. Check the clock of the host that minted it.`;
}

/**
 * Verifies a runtime token; throws RuntimeError("invalid_token") with a reason that reveals no key material.
 * `now` (default: the system clock) is what the token's times are compared with, allowing
 * CLOCK_TOLERANCE_SECONDS either way: a token minted by a host 59 s ahead is accepted, 61 s ahead refused.
 */
export async function verifyRuntimeToken(
  keys: SigningKeys,
  token: string,
  options: { issuer: string; now?: Date },
): Promise<RuntimeIdentity> {
  let header: JWTHeaderParameters | undefined;
  let payload: unknown;
  try {
    const verified = await jwtVerify(
      token,
      async (protectedHeader) => {
        header = protectedHeader;
        if (!protectedHeader.kid) throw invalid("The token has no key id.");
        const key = await keys.verificationKey(protectedHeader.kid);
        if (!key) throw invalid("The token was signed by a key Latchkey does not know (or no longer publishes).");
        return key;
      },
      {
        algorithms: [RUNTIME_ALG],
        issuer: options.issuer,
        audience: RUNTIME_AUDIENCE,
        typ: RUNTIME_TOKEN_TYPE,
        requiredClaims: ["iss", "aud", "sub", "jti", "iat", "exp"],
        maxTokenAge: MAX_TOKEN_TTL_SECONDS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        ...(options.now ? { currentDate: options.now } : {}),
      },
    );
    payload = verified.payload;
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw invalid(timeClaimMessage(error.claim, error.payload, options.now ?? new Date()), error);
    if (error instanceof joseErrors.JOSEAlgNotAllowed) throw invalid("The token's algorithm is not accepted (ES256 only).", error);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw invalid("The token's signature does not verify.", error);
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      const timed = (error.claim === "iat" || error.claim === "nbf") && error.reason === "check_failed";
      throw invalid(
        timed
          ? timeClaimMessage(error.claim, error.payload, options.now ?? new Date())
          : error.claim === "iss"
            ? `The token was issued for ${JSON.stringify(error.payload.iss)}, not this Latchkey (${options.issuer}): mint it where LATCHKEY_URL is ${options.issuer}.`
            : `The token's ${error.claim} claim is not acceptable.`,
        error,
      );
    }
    throw invalid("The token is not a valid Latchkey runtime token.", error);
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success || !header?.kid) throw invalid("The token's claims are malformed.");
  const claims = parsed.data;
  if (claims.exp - claims.iat > MAX_TOKEN_TTL_SECONDS) throw invalid("The token lives longer than 15 minutes.");
  if (claims.sub !== `installation:${claims.installation}`) throw invalid("The token's subject does not match its installation.");
  return {
    installationId: claims.installation,
    extensionId: claims.extension,
    orgId: claims.org,
    userId: claims.user ?? null,
    scopes: claims.scopes,
    jti: claims.jti,
    kid: header.kid,
    expiresAt: new Date(claims.exp * 1000),
  };
}
