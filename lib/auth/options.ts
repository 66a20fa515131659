// next-auth configuration: demo sign-in (a seeded person, demo mode only), any OIDC issuer and GitHub
// from env. Sessions are JWTs carrying only our user id; everything else is loaded per request.
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import { getDb } from "@/lib/db";
import type { DbOrTx } from "@/lib/db/client";
import { userIdentities, users } from "@/lib/db/schema";
import { env, type Env } from "@/lib/env";
import { text, textProblemMessage } from "@/lib/core/text";
import { clientAddress } from "@/lib/http/client-address";
import { getRequestGuards } from "@/lib/http/limits";
import { RateLimitedError, rateLimitKey, waitInWords, type RequestGuards } from "@/lib/http/rate-limit";
import { requestIdOf } from "@/lib/core/request-context";
import { jsonResponse } from "@/lib/http/respond";
import { logger } from "@/lib/logger";

/** The session secret: configured, or in demo mode created once under the data dir. */
export function sessionSecret(config: Env): string {
  if (config.NEXTAUTH_SECRET) return config.NEXTAUTH_SECRET;
  const file = path.join(config.dataDir, "auth-secret");
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = crypto.randomUUID() + crypto.randomUUID();
    fs.writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    return secret;
  }
}

/** The demo sign-in form's one field: a seeded person's key, compared in a WHERE clause. */
const demoPerson = text({ label: "person", min: 1, max: 64 });

/**
 * Finds or creates the user behind an external identity; admins come from LATCHKEY_ADMIN_EMAILS.
 * Throws (sign-in fails, the reason logged) when the identity provider sent text that cannot be stored,
 * such as a NUL character in the name.
 */
export async function upsertExternalUser(
  db: DbOrTx,
  identity: { provider: string; subject: string; email: string; name: string },
  adminEmails: string[],
): Promise<string> {
  for (const [field, value] of Object.entries(identity)) {
    const problem = textProblemMessage(`The identity provider's ${field}`, value);
    if (problem) throw new Error(problem);
  }
  const email = identity.email.toLowerCase();
  const isAdmin = adminEmails.includes(email);
  const [linked] = await db
    .select({ userId: userIdentities.userId })
    .from(userIdentities)
    .where(and(eq(userIdentities.provider, identity.provider), eq(userIdentities.subject, identity.subject)));
  if (linked) {
    if (isAdmin) await db.update(users).set({ isPlatformAdmin: true }).where(eq(users.id, linked.userId));
    return linked.userId;
  }
  await db.insert(users).values({ email, name: identity.name, isPlatformAdmin: isAdmin }).onConflictDoNothing();
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  if (!user) throw new Error("user upsert failed");
  if (isAdmin) await db.update(users).set({ isPlatformAdmin: true }).where(eq(users.id, user.id));
  await db
    .insert(userIdentities)
    .values({ ...identity, userId: user.id })
    .onConflictDoNothing();
  return user.id;
}

/** The sign-in page's `error` for an attempt refused by the rate limit (with `retry_after` in seconds). */
export const SIGN_IN_RATE_LIMITED = "RateLimited";

/** What the sign-in page says after `SIGN_IN_RATE_LIMITED`; `retryAfter` is the link's seconds, if any. */
export function rateLimitedSignInMessage(retryAfter: string | undefined): string {
  const seconds = retryAfter && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) : null;
  return `Too many sign-in attempts from your address. Try again in ${seconds ? waitInWords(seconds) : "a minute"}.`;
}

/**
 * Demo sign-in attempts per client address (LATCHKEY_RATE_LIMIT_SIGN_IN). Every POST to next-auth's demo
 * credentials callback counts; past the limit it is answered here, before next-auth, with 429,
 * `Retry-After`, the RateLimit fields and `{ url, error: { code: "rate_limited", message, request_id,
 * retry_after_seconds } }`, where `url` is the sign-in page showing the refusal: next-auth's client
 * `signIn()` navigates to a callback answer's `url`.
 *
 * @param guards the limits (default: the process's, lib/http/limits.ts)
 * @returns null when next-auth should handle the request
 */
export async function limitDemoSignIn(request: Request, guards?: RequestGuards): Promise<Response | null> {
  if (request.method !== "POST" || !new URL(request.url).pathname.endsWith("/callback/demo")) return null;
  const { signIn, trustedProxyHops } = guards ?? (await getRequestGuards());
  try {
    await signIn.enforce(
      rateLimitKey(clientAddress(request.headers, { trustedHops: trustedProxyHops })),
      (wait) => `Too many sign-in attempts from your address. Try again in ${wait}.`,
    );
    return null;
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    const form = await request.formData().catch(() => null);
    const callbackUrl = form?.get("callbackUrl");
    const page = new URLSearchParams({ error: SIGN_IN_RATE_LIMITED, retry_after: String(error.retryAfterSeconds) });
    if (typeof callbackUrl === "string") page.set("callbackUrl", callbackUrl.slice(0, 2000));
    const requestId = requestIdOf(request.headers);
    const body = {
      url: `/signin?${page.toString()}`,
      error: { code: error.code, message: error.message, request_id: requestId, ...error.publicFields() },
    };
    const response = jsonResponse(body, error.status, requestId);
    for (const [name, value] of Object.entries(error.responseHeaders())) response.headers.set(name, value);
    return response;
  }
}

/** Builds next-auth's options from a configuration (exported for tests of what each mode offers). */
export function buildAuthOptions(config: Env): NextAuthOptions {
  const providers: NextAuthOptions["providers"] = [];
  if (config.demo) {
    providers.push(
      CredentialsProvider({
        id: "demo",
        name: "Demo",
        credentials: { person: { label: "Demo person", type: "text" } },
        async authorize(credentials) {
          // Checked again here, not only by hiding the button: demo sign-in must be refused outright.
          if (!env().demo) return null;
          // Not a key any seeded person has (empty, or text PostgreSQL cannot compare): sign-in fails as usual.
          const person = demoPerson.safeParse(credentials?.person);
          if (!person.success) return null;
          const db = await getDb();
          const [user] = await db.select().from(users).where(eq(users.demoKey, person.data));
          return user ? { id: user.id, email: user.email, name: user.name } : null;
        },
      }),
    );
  }
  if (config.OIDC_ISSUER && config.OIDC_CLIENT_ID && config.OIDC_CLIENT_SECRET) {
    providers.push({
      id: "oidc",
      name: config.OIDC_NAME,
      type: "oauth",
      wellKnown: `${config.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      authorization: { params: { scope: "openid email profile" } },
      idToken: true,
      checks: ["pkce", "state", "nonce"],
      profile(profile: { sub: string; email?: string; name?: string }) {
        return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? profile.sub };
      },
    });
  }
  if (config.GITHUB_ID && config.GITHUB_SECRET) {
    providers.push(GitHubProvider({ clientId: config.GITHUB_ID, clientSecret: config.GITHUB_SECRET }));
  }

  return {
    secret: sessionSecret(config),
    // One structured line per problem; an expired or forged session cookie is routine, not a stack trace.
    logger: {
      error: (code, metadata) => logger.warn({ code, message: (metadata as { message?: string })?.message }, "sign-in error"),
      warn: (code) => logger.warn({ code }, "sign-in warning"),
      debug: () => {},
    },
    providers,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    callbacks: {
      async jwt({ token, user, account }) {
        if (!user || !account) return token;
        if (account.provider === "demo") {
          token.uid = user.id;
        } else {
          if (!user.email) throw new Error("The identity provider did not return an email address.");
          token.uid = await upsertExternalUser(
            await getDb(),
            { provider: account.provider, subject: account.providerAccountId, email: user.email, name: user.name ?? user.email },
            env().LATCHKEY_ADMIN_EMAILS,
          );
        }
        return token;
      },
      session({ session, token }) {
        if (session.user && typeof token.uid === "string") session.user.id = token.uid;
        return session;
      },
    },
  };
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  cached ??= buildAuthOptions(env());
  return cached;
}
