// The CLI's HTTP client for /api/v1/publisher. A refusal becomes a CliError carrying the server's own
// message, so the CLI prints exactly what the dashboard shows.
import type { CliIo } from "./io";
import { resolveLogin } from "./config";

export class CliError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface ApiOptions {
  url?: string;
  /** Use this token instead of the stored one (login checks a token before storing it). */
  token?: string;
}

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    details?: {
      errors?: { path: string; line: number; column: number; message: string }[];
      findings?: { rule: string; path: string; line: number; column: number; message: string }[];
    };
  };
}

export async function callApi<T>(
  io: CliIo,
  options: ApiOptions,
  method: string,
  path: string,
  body?: { json?: unknown; yaml?: string; bytes?: { data: Uint8Array; type: string } },
): Promise<T> {
  const login = await resolveLogin(io, options.url);
  const token = options.token ?? login.token;
  if (!token) throw new CliError("Not logged in. Run `npx latchkey login` or set LATCHKEY_TOKEN.");
  const headers: Record<string, string> = {
    Authorization: `Bearer ${token}`,
    "User-Agent": "latchkey-cli/0.1",
    "X-Latchkey-Client": "cli",
    Accept: "application/json",
  };
  let payload: string | Uint8Array<ArrayBuffer> | undefined;
  if (body?.json !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body.json);
  } else if (body?.yaml !== undefined) {
    headers["Content-Type"] = "application/yaml";
    payload = body.yaml;
  } else if (body?.bytes !== undefined) {
    headers["Content-Type"] = body.bytes.type;
    // A copy in its own ArrayBuffer: fetch's BodyInit takes no view of a shared or pooled buffer.
    payload = new Uint8Array(body.bytes.data);
  }
  let response: Response;
  try {
    response = await io.fetch(`${login.url}/api/v1/publisher${path}`, { method, headers, body: payload });
  } catch (error) {
    throw new CliError(`Cannot reach Latchkey at ${login.url}: ${(error as Error).message}`);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as ErrorBody | null)?.error;
    const details = [
      ...(error?.details?.errors ?? []).map((e) =>
        e.line > 0 ? `${e.path ? `${e.path} ` : ""}(line ${e.line}:${e.column}): ${e.message}` : `${e.path}: ${e.message}`,
      ),
      // Every blocking finding of the publish-time scan (the message names the first few).
      ...(error?.details?.findings ?? []).map((f) => `${f.path}:${f.line}:${f.column} ${f.rule}: ${f.message}`),
    ];
    throw new CliError(error?.message ?? `Latchkey answered ${response.status} ${response.statusText}.`, details);
  }
  return data as T;
}
