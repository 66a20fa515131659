// HTTP load for the bench/ scripts: rounds of `concurrency` connections against one URL, with latency
// percentiles and the CPU the serving processes spent per request. The client is wrk (Debian's `wrk`)
// when it is installed — a C client that leaves the server the CPU — else fetch from this process, which
// caps every figure (the caller says so: `WRK`). CPU comes from /proc (Linux): the server process's user +
// system time over the round, and the database's when asked: PostgreSQL's (every `postgres` process on the
// machine) or the embedded database host's (the app's child process that runs PGlite).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100;

/** Whether wrk is on PATH. */
export const WRK = spawnSync("wrk", ["--version"], { encoding: "utf8" }).error === undefined;

/** User + system CPU seconds of one process, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** CPU seconds of every PostgreSQL process on this machine (the postmaster and its backends). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
    } catch {
      continue;
    }
    total += cpuSeconds(Number(entry)) ?? 0;
  }
  return total;
}

export interface Target {
  label: string;
  url: string;
  headers: Record<string, string>;
  /** The server process whose CPU is counted. */
  pid: number;
  /** Whether the database's CPU is outside that process (PostgreSQL) and counted too. */
  postgres: boolean;
  /** The embedded database host's pid (lib/db/pglite-host.ts), whose CPU is counted as the database's. */
  dbPid?: number;
  check: (status: number, body: string) => void;
}

export interface Sample {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  appCpu: number;
  dbCpu: number;
}

function wrkMs(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(text);
  if (!match) throw new Error(`wrk printed no ${label} latency`);
  const value = Number(match[1]);
  return match[2] === "us" ? value / 1000 : match[2] === "s" ? value * 1000 : value;
}

/** One round of load on `target`: `concurrency` connections for `seconds`. */
export async function load(target: Target, seconds: number, concurrency: number): Promise<Sample> {
  const cpu0 = cpuSeconds(target.pid) ?? 0;
  const dbCpuSeconds = () => (target.postgres ? postgresCpuSeconds() : 0) + (target.dbPid ? (cpuSeconds(target.dbPid) ?? 0) : 0);
  const db0 = dbCpuSeconds();
  let sample: Omit<Sample, "appCpu" | "dbCpu">;
  if (WRK) {
    // One answer is read and checked first; wrk then counts non-2xx answers, which fail the run.
    const first = await fetch(target.url, { headers: target.headers });
    target.check(first.status, await first.text());
    const headerArgs = Object.entries(target.headers).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
    // A 10 s timeout (wrk's default is 2 s): a slow answer counts in the latency figures instead of failing the run as a socket error.
    const args = ["-t2", `-c${concurrency}`, `-d${seconds}s`, "--timeout", "10s", "--latency", ...headerArgs, target.url];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn("wrk", args, { stdio: ["ignore", "pipe", "inherit"] });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited ${code}`))));
    });
    const failures = /Non-2xx or 3xx responses: (\d+)/.exec(out) ?? /Socket errors: (.*)/.exec(out);
    if (failures) throw new Error(`${target.label}: ${failures[0]}`);
    const requests = Number(/(\d+) requests in ([\d.]+)(ms|s)/.exec(out)?.[1]);
    const elapsed = /(\d+) requests in ([\d.]+)(ms|s)/.exec(out);
    const secondsTaken = elapsed ? Number(elapsed[2]) / (elapsed[3] === "ms" ? 1000 : 1) : seconds;
    sample = { requests, seconds: secondsTaken, p50: wrkMs(out, "50%"), p99: wrkMs(out, "99%") };
  } else {
    const latencies: number[] = [];
    const started = performance.now();
    const end = started + seconds * 1000;
    const client = async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const response = await fetch(target.url, { headers: target.headers });
        const body = await response.text();
        latencies.push(performance.now() - t0);
        target.check(response.status, body);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, client));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
    sample = { requests: latencies.length, seconds: (performance.now() - started) / 1000, p50: pct(50), p99: pct(99) };
  }
  const appCpu = (cpuSeconds(target.pid) ?? 0) - cpu0;
  const dbCpu = dbCpuSeconds() - db0;
  return { ...sample, appCpu, dbCpu };
}

export interface Summary {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  appMs: number;
  dbMs: number;
}

/** Requests per second over all rounds; the median round's p50 and p99; CPU ms per request. */
export function summarize(samples: Sample[]): Summary {
  const requests = samples.reduce((n, s) => n + s.requests, 0);
  const seconds = samples.reduce((n, s) => n + s.seconds, 0);
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    rps: requests / seconds,
    requests,
    p50: median(samples.map((s) => s.p50)),
    p99: median(samples.map((s) => s.p99)),
    appMs: (samples.reduce((n, s) => n + s.appCpu, 0) * 1000) / requests,
    dbMs: (samples.reduce((n, s) => n + s.dbCpu, 0) * 1000) / requests,
  };
}

/** Resident set size of a process in MB, from /proc (Linux); null elsewhere. */
export function memoryOf(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}
