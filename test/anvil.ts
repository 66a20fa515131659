// A local EVM chain for tests: Foundry's anvil from the npm registry (@foundry-rs/anvil ships the binary
// in a per-platform package, so nothing is downloaded at run time), started on a free loopback port with
// automatic mining, and a viem test client to mine blocks, stop and resume mining, and fund accounts.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createTestClient, http, parseEther, publicActions, type Address } from "viem";
import { chainOf } from "@/lib/audit/chain";

const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "anvil-linux-amd64",
  "linux-arm64": "anvil-linux-arm64",
  "darwin-x64": "anvil-darwin-amd64",
  "darwin-arm64": "anvil-darwin-arm64",
  "win32-x64": "anvil-win32-amd64",
};

/** The anvil binary of this platform, from its @foundry-rs package. */
export function anvilBinary(): string {
  const name = PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  if (!name) throw new Error(`anvil has no npm binary for ${process.platform}-${process.arch}`);
  const require = createRequire(import.meta.url);
  return require.resolve(`@foundry-rs/${name}/bin/anvil${process.platform === "win32" ? ".exe" : ""}`);
}

export const ANVIL_CHAIN_ID = 31337;

export interface LocalChain {
  rpcUrl: string;
  chainId: number;
  /** viem's test client (anvil mode) with the public actions. */
  client: ReturnType<typeof testClientFor>;
  /** Gives an account 10 of the chain's coin. */
  fund(address: Address): Promise<void>;
  stop(): Promise<void>;
}

const testClientFor = (rpcUrl: string) =>
  createTestClient({ mode: "anvil", chain: chainOf({ rpcUrl, chainId: ANVIL_CHAIN_ID }), transport: http(rpcUrl) }).extend(publicActions);

/** Starts anvil on a free port (it prints the one it bound) and resolves once it answers. */
export async function startLocalChain(): Promise<LocalChain> {
  const child: ChildProcess = spawn(
    anvilBinary(),
    ["--host", "127.0.0.1", "--port", "0", "--chain-id", String(ANVIL_CHAIN_ID), "--accounts", "1"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`anvil did not start within 30 s:\n${seen}`)), 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with code ${code}:\n${seen}`));
    });
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
      const match = /Listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      seen += chunk.toString("utf8");
    });
  });
  // Keep draining its log so a full pipe never stalls it.
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners("exit");
  const rpcUrl = `http://127.0.0.1:${port}`;
  const client = testClientFor(rpcUrl);
  return {
    rpcUrl,
    chainId: ANVIL_CHAIN_ID,
    client,
    fund: (address) => client.setBalance({ address, value: parseEther("10") }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
