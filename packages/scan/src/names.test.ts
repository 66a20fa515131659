import { describe, expect, it } from "vitest";
import { ALLOWED_NAMES, isCredentialLike, nameWords } from "./names";

describe("credential-like names", () => {
  it("splits names into words the way people write them", () => {
    expect(nameWords("STRIPE_KEY")).toEqual(["stripe", "key"]);
    expect(nameWords("apiToken")).toEqual(["api", "token"]);
    expect(nameWords("APIKey")).toEqual(["api", "key"]);
    expect(nameWords("spotify.client_id")).toEqual(["spotify", "client", "id"]);
  });

  it.each([
    "STRIPE_KEY",
    "api_token",
    "OPENAI_API_KEY",
    "spotify.client_id",
    "GOOGLE_CLIENT_SECRET",
    "DB_PASSWORD",
    "DATABASE_URL",
    "SENTRY_DSN",
    "AWS_ACCESS_KEY_ID",
    "PROXY_BASIC_AUTH",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "PRIVATE_KEY_PATH",
    "LATCHKEY_SECRET_SPOTIFY_API_KEY",
    "githubToken",
  ])("%s is credential-like", (name) => expect(isCredentialLike(name)).toBe(true));

  it.each([
    ...ALLOWED_NAMES,
    "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
    "TOKEN_URL",
    "PASSWORD_MIN_LENGTH",
    "SECRET_NAME",
    "KMS_KEY_ID",
    "max_tokens",
    "prompt_tokens",
    "CACHE_KEY",
    "PRIMARY_KEY",
    "AUTH_URL",
    "theme",
    "page_size",
    "KEY",
  ])("%s is not", (name) => expect(isCredentialLike(name)).toBe(false));
});
