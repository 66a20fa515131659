// Structured logging for the server. Fields that carry secret material are redacted by path before a line
// is written, as a second line of defence behind SecretValue (which already serializes as "[redacted]"):
// raw strings that were revealed for an upstream call, OAuth token responses, request headers.
import pino from "pino";
import { currentRequestId } from "@/lib/core/request-context";

const CENSOR = "[redacted]";

// Field names whose value is secret wherever they appear.
const SECRET_FIELDS = [
  "value",
  "plaintext",
  "secret",
  "secretValue",
  "token",
  "access_token",
  "accessToken",
  "refresh_token",
  "refreshToken",
  "id_token",
  "idToken",
  "client_secret",
  "clientSecret",
  "code_verifier",
  "password",
  "authorization",
  "cookie",
  "apiKey",
  "api_key",
  "masterKey",
  "dek",
] as const;

// pino's wildcard matches exactly one level, so each field is listed at the top level and two levels
// down: enough for `{ value }`, `{ secret: { value } }`, `{ req: { headers: { authorization } } }` and
// `{ body: { tokens: { access_token } } }`. Anything deeper should be logged as a SecretValue.
export const REDACT_PATHS: string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  '*.headers["x-api-key"]',
];

const LEVELS = new Set([...Object.keys(pino.levels.values), "silent"]);

export interface LoggerOptions {
  level?: string;
}

// Tests that pass a destination want to read the output, so only the default stdout logger goes silent
// under vitest.
function resolveLevel(explicit: string | undefined, capturing: boolean): { level: string; invalid?: string } {
  const requested = explicit ?? process.env.LOG_LEVEL;
  if (requested !== undefined && requested !== "") {
    return LEVELS.has(requested) ? { level: requested } : { level: "info", invalid: requested };
  }
  return { level: process.env.VITEST && !capturing ? "silent" : "info" };
}

export function createLogger(destination?: pino.DestinationStream, options: LoggerOptions = {}): pino.Logger {
  const { level, invalid } = resolveLevel(options.level, destination !== undefined);
  const config: pino.LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: CENSOR },
    serializers: { err: pino.stdSerializers.err },
    // Every line written while a request is served carries its id (lib/core/request-context.ts).
    mixin() {
      const requestId = currentRequestId();
      return requestId ? { request_id: requestId } : {};
    },
  };
  const logger = destination ? pino(config, destination) : pino(config);
  // A typo in LOG_LEVEL should not take the server down, but it should not go unnoticed either.
  if (invalid !== undefined) logger.warn({ allowed: [...LEVELS] }, "LOG_LEVEL is not a pino level; using info");
  return logger;
}

export const logger = createLogger();
