// Typed errors of the publisher operations. `code` and `message` are what the dashboard shows, what
// the API puts in `{ error: { code, message } }` and what the CLI prints, so all three say the same.
import { DomainError } from "@/lib/core/domain-error";
import type { ManifestError } from "@/lib/manifest";

export type ExtensionErrorCode =
  | "not_found"
  | "forbidden"
  | "invalid_manifest"
  | "extension_taken"
  | "wrong_extension"
  | "version_published"
  | "credential_not_declared"
  | "credential_value_invalid"
  | "credential_not_set"
  | "credential_is_secret"
  | "publish_blocked"
  | "nothing_to_publish"
  | "token_not_found"
  | "secret_not_declared"
  | "secret_write_forbidden"
  | "already_installed"
  | "install_blocked"
  | "uninstall_blocked";

/** The HTTP status each extension error code is served with. */
export const extensionErrorStatus: Record<ExtensionErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  invalid_manifest: 422,
  extension_taken: 409,
  wrong_extension: 422,
  version_published: 409,
  credential_not_declared: 404,
  credential_value_invalid: 400,
  credential_not_set: 409,
  credential_is_secret: 403,
  publish_blocked: 409,
  nothing_to_publish: 409,
  token_not_found: 404,
  secret_not_declared: 404,
  secret_write_forbidden: 403,
  already_installed: 409,
  install_blocked: 409,
  uninstall_blocked: 409,
};

/** A refusal of a publisher or panel operation; `details` says which field or manifest lines. */
export class ExtensionError extends DomainError<ExtensionErrorCode> {
  static override readonly kind = "ExtensionError";

  constructor(
    code: ExtensionErrorCode,
    message: string,
    readonly details: { manifestErrors?: ManifestError[]; missing?: string[]; field?: string; findings?: BlockingFinding[] } = {},
  ) {
    super(code, message);
  }

  get status(): number {
    return extensionErrorStatus[this.code];
  }

  /** Served as `details`: the manifest's errors with their lines, or what blocks a publish. */
  override publicFields(): Record<string, unknown> {
    const { manifestErrors, missing, findings } = this.details;
    if (manifestErrors) return { details: { errors: manifestErrors } };
    if (missing || findings) return { details: { ...(missing ? { missing } : {}), ...(findings ? { findings } : {}) } };
    return {};
  }
}

/** A finding of the publish-time scan that blocks publishing (lib/scan), as served with `publish_blocked`. */
export interface BlockingFinding {
  rule: string;
  path: string;
  line: number;
  column: number;
  snippet: string;
  message: string;
}

/** The exact text the partner-credentials guide shows when publishing is blocked. */
export function missingCredentialsMessage(labels: string[]): string {
  return `Missing required partner credentials: ${labels.join(", ")}.\nConfigure them in the Publisher Dashboard.`;
}
