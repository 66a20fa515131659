// The command line's settings: `node scripts/demo-oauth-provider.mjs` reads them from the environment
// (lib/oauth/demo.ts sets them when demo mode starts the provider as a child process).

/**
 * Reads DEMO_OAUTH_PORT (default 0: any free port), DEMO_OAUTH_ACCESS_TOKEN_TTL (seconds, default 3600),
 * DEMO_OAUTH_CONTROL ("1" serves /__control/), DEMO_OAUTH_CLIENT_ID (default "latchkey-demo"),
 * DEMO_OAUTH_CLIENT_SECRET (required) and DEMO_OAUTH_REDIRECT_URIS (comma-separated, at least one).
 * @throws {Error} naming the variable, when one is missing or not a whole number
 * @returns {import("../demo-oauth-provider.d.mts").DemoProviderOptions}
 */
export function optionsFromEnv() {
  const env = process.env;
  /** @param {string} name @param {string} fallback */
  const integer = (name, fallback) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${env[name]}"`);
    return value;
  };
  const clientSecret = env.DEMO_OAUTH_CLIENT_SECRET;
  if (!clientSecret) throw new Error("DEMO_OAUTH_CLIENT_SECRET must be set");
  const redirectUris = (env.DEMO_OAUTH_REDIRECT_URIS ?? "")
    .split(",")
    .map((uri) => uri.trim())
    .filter(Boolean);
  if (redirectUris.length === 0) throw new Error("DEMO_OAUTH_REDIRECT_URIS must list at least one redirect URI");
  return {
    port: integer("DEMO_OAUTH_PORT", "0"),
    accessTokenTtlSeconds: integer("DEMO_OAUTH_ACCESS_TOKEN_TTL", "3600"),
    control: env.DEMO_OAUTH_CONTROL === "1",
    clients: [{ client_id: env.DEMO_OAUTH_CLIENT_ID ?? "latchkey-demo", client_secret: clientSecret, redirect_uris: redirectUris }],
  };
}
