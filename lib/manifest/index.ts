// The manifest module's public face: parse and validate a manifest's YAML, format its errors, and
// read what it declares.
export {
  parseManifest,
  formatManifestError,
  manifestErrorAt,
  MAX_MANIFEST_BYTES,
  DEFAULT_VERSION,
  type ManifestError,
  type ParseResult,
} from "./parse";
export type {
  Manifest,
  PartnerCredential,
  ManifestSecret,
  SetupStep,
  Webhook,
  OAuthProviderDeclaration,
  OAuthConsumerDeclaration,
} from "./schema";
export { declaredSecrets, humanizeName, parseSecretRef, type DeclaredSecret } from "./declarations";
