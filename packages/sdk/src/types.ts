// The shapes the SDK hands to extension code. `SecretStore` is implemented by the HTTP client, the dev
// mode store and MockSecretStore alike, so a handler written against it runs unchanged in all three.

export interface SecretInfo {
  ref: string;
  scope: "ext" | "org" | "user";
  name: string;
  description: string;
  required: boolean;
  /** "publisher" for partner credentials (ext.*), else who may write it. */
  write_mode: "publisher" | "user" | "extension" | "both";
  max_bytes: number;
  rotation_hint_days: number | null;
  /** null when the token has no user and the secret is user-scoped. */
  is_set: boolean | null;
  version: number | null;
  byte_length: number | null;
  last_set_at: string | null;
  last_read_at: string | null;
  last_rotated_at: string | null;
  rotation_count: number;
}

export interface SecretStore {
  /** The value, or null when it is not set. Always a fresh read: never cache the result. */
  get(ref: string): Promise<string | null>;
  set(ref: string, value: string): Promise<void>;
  delete(ref: string): Promise<{ wasSet: boolean }>;
  isSet(ref: string): Promise<boolean>;
  list(): Promise<SecretInfo[]>;
}

export interface OAuthToken {
  access_token: string;
  expires_at: string | null;
  scope: string;
}

export interface Readiness {
  ready: boolean;
  missing: { ref: string; reason: string; settings_url: string; scopes?: string[] }[];
}
