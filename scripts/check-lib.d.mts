// Types for check-lib.mjs, which stays plain JavaScript so the .mjs checks run with plain `node`.
import type { ChildProcess } from "node:child_process";
import type { Sql } from "postgres";

/** A child started by `CheckRun.start`: its exit code (or signal name) and its output so far. */
export type StartedProcess = ChildProcess & { exited: Promise<number | string>; output(): string };

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** One check run: ok/FAIL lines, bounded children, cleanup however the process ends. */
export interface CheckRun {
  scratch: string;
  log(line: string): void;
  check(ok: boolean, what: string, detail?: unknown): boolean;
  run(command: string, args: string[], options?: RunOptions): RunResult;
  mustRun(what: string, command: string, args: string[], options?: RunOptions): RunResult;
  /** Records a failure and stops the run. */
  abort(what: string, detail?: unknown): never;
  start(command: string, args: string[], options: { name: string; cwd?: string; env?: Record<string, string | undefined> }): StartedProcess;
  /** Runs the checks, cleans up, exits 0 only if every check passed. */
  main(body: () => Promise<void>): Promise<void>;
  onFinish(cleanup: () => Promise<unknown>): void;
  failures(): number;
}

export const root: string;
export function checkRun(name: string): CheckRun;
export function freePort(): Promise<number>;
export function waitFor(url: string, timeoutMs: number, accept?: (response: Response) => boolean): Promise<Response | null>;
export function scratchDatabase(label: string): Promise<{ url: string; sql: Sql; drop(): Promise<void> }>;
export function standaloneFolder(run: CheckRun): string;
export function logLines(text: string): Record<string, unknown>[];
