// latchkey/sdk: what an extension imports. No server code: the client talks HTTP to the runtime API;
// dev mode and MockSecretStore run with no Latchkey at all.
export { createClient, type ClientOptions, type LatchkeyClient } from "./client";
export { EnvSecretStore, devModeEnabled, envVarFor } from "./dev-mode";
export { MockSecretStore, type MockCall } from "./mock";
export type { Declared, DeclaredEntry, WriteMode } from "./declared";
export type { OAuthToken, Readiness, SecretInfo, SecretStore } from "./types";
export { webhookUrl } from "./webhook-url";
export * from "./errors";
export {
  LATCHKEY_DELIVERY_HEADERS,
  hmacSha256,
  signLatchkeyDelivery,
  verifyGitHubSignature,
  verifyHmacSha256,
  verifyLatchkeyDelivery,
  verifySlackSignature,
  verifyStripeSignature,
  type Payload,
  type TimestampOptions,
  type VerifyFailure,
  type VerifyResult,
} from "./webhooks";
