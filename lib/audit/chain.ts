// The chain anchor: publishes anchored checkpoints (origin, tree size, root hash) on an EVM chain through
// viem, and reads them back for verification. Polygon in production, a local node (anvil) in tests.
//
// On chain, an anchor is a call of a minimal contract whose only behaviour is to emit
//   event Checkpoint(address indexed submitter, string origin, uint64 treeSize, bytes32 rootHash)
// with the call's data (the ABI encoding of origin, tree size and root) and the caller as the indexed
// submitter. Reading back is one eth_getLogs filtered by contract, event and submitter (the log's own
// account), so nobody else can add a root that verification would take for the log's, and no index of
// the account's transactions is needed. The contract is 45 bytes of EVM code (below, with its
// assembly), deployed by the anchoring account's first transaction unless LATCHKEY_AUDIT_CHAIN_CONTRACT
// names one; verification finds it the same way (the address a first transaction creates is fixed by
// the account).
//
// Cost: the sequencer hands this sink one checkpoint per interval (hourly by default), so one
// transaction an hour however many events there are. Each transaction is pending until it is N blocks
// deep (confirmed); one not mined in time, reverted or dropped fails, and the retry replaces it (same
// nonce, higher fee) or sends it again.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  getContractAddress,
  http,
  parseAbiItem,
  parseAbiParameters,
  toEventSelector,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import type { Db } from "@/lib/db/client";
import type { AnchorCheckpoint, AnchorProgress, AnchorReader, AnchorResult, AnchorSink, AnchoredCheckpoint } from "./anchors";
import { loadSealedSystemKey, type KeySource } from "./signing-key";

/** The event every anchor emits; its topic0 is keccak256("Checkpoint(address,string,uint64,bytes32)"). */
export const CHECKPOINT_EVENT = parseAbiItem(
  "event Checkpoint(address indexed submitter, string origin, uint64 treeSize, bytes32 rootHash)",
);
const PAYLOAD = parseAbiParameters("string origin, uint64 treeSize, bytes32 rootHash");
const TOPIC0 = toEventSelector(CHECKPOINT_EVENT).slice(2);

/**
 * The contract's runtime code: copy the call data to memory and LOG2 it with topics (event, caller).
 *   CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY        mem[0..] = calldata
 *   CALLER PUSH32 topic0 CALLDATASIZE PUSH1 0 LOG2    log(data = mem[0..size], topic0, topic1 = caller)
 *   STOP
 */
export function anchorRuntimeCode(topic0 = TOPIC0): Hex {
  return `0x366000600037337f${topic0}366000a200`;
}

/** Deployment code: CODECOPY the 45-byte runtime (it follows these 11 bytes) to memory and RETURN it. */
export function anchorInitCode(topic0 = TOPIC0): Hex {
  const runtime = anchorRuntimeCode(topic0).slice(2);
  const length = (runtime.length / 2).toString(16).padStart(2, "0");
  return `0x60${length}80600b6000396000f3${runtime}`;
}

export const CHAIN_KEY_PURPOSE = "audit-chain";

/**
 * The anchoring account: a secp256k1 key created on first use and stored in system_keys sealed by the
 * keyring, like the checkpoint key. Fund its address (`audit:verify` and the admin page show it) with
 * the chain's gas token. With `create: false` a missing key answers null (verification never makes one).
 */
export async function loadChainAccount(db: Db, keys: KeySource, options: { create: boolean }): Promise<LocalAccount | null> {
  const generate = () => Buffer.from(generatePrivateKey().slice(2), "hex");
  const secret = await loadSealedSystemKey(db, keys, CHAIN_KEY_PURPOSE, options.create ? generate : undefined);
  if (!secret) return null;
  const account = privateKeyToAccount(`0x${secret.toString("hex")}`);
  secret.fill(0);
  return account;
}

/** Where and how to anchor: validated in lib/env.ts (LATCHKEY_AUDIT_CHAIN_*). */
export interface ChainSettings {
  rpcUrl: string;
  chainId: number;
  /** Blocks a transaction must be under (its own included) before the anchor counts as confirmed. */
  confirmations: number;
  /** Least time between two anchors (ms): one transaction per interval. */
  intervalMs: number;
  /** A sent transaction not mined within this (ms) fails and is replaced on retry. */
  timeoutMs: number;
  /** The anchor contract; default: the one the anchoring account's first transaction creates. */
  contract?: Address;
  /** First block verification reads anchors from (default 0: the whole chain). */
  fromBlock?: number;
}

export function chainOf(settings: Pick<ChainSettings, "rpcUrl" | "chainId">): Chain {
  return defineChain({
    id: settings.chainId,
    name: `chain ${settings.chainId}`,
    nativeCurrency: { name: "gas", symbol: "GAS", decimals: 18 },
    rpcUrls: { default: { http: [settings.rpcUrl] } },
  });
}

/** The contract an account's anchors go to: the configured one, else the one its first transaction created. */
export const anchorContractOf = (settings: Pick<ChainSettings, "contract">, account: Address): Address =>
  settings.contract ?? getContractAddress({ from: account, nonce: 0n });

const publicClientFor = (settings: ChainSettings): PublicClient =>
  createPublicClient({ chain: chainOf(settings), transport: http(settings.rpcUrl, { retryCount: 0, timeout: 10_000 }) });

/** The chain anchor's reference: the transaction hash. Blocks are stored beside it (audit_anchors.block_number). */
export class ChainAnchorSink implements AnchorSink {
  readonly name = "chain";
  readonly intervalMs: number;
  readonly #client: PublicClient;
  #account: Promise<LocalAccount> | undefined;

  constructor(
    readonly settings: ChainSettings,
    private readonly loadAccount: () => Promise<LocalAccount>,
  ) {
    this.intervalMs = settings.intervalMs;
    this.#client = publicClientFor(settings);
  }

  account(): Promise<LocalAccount> {
    this.#account ??= this.loadAccount().catch((error: unknown) => {
      this.#account = undefined;
      throw error;
    });
    return this.#account;
  }

  async anchor(checkpoint: AnchorCheckpoint, progress: AnchorProgress, now: Date): Promise<AnchorResult> {
    const hash = progress.reference as Hex | null;
    if (hash && progress.status === "pending") return this.#follow(hash, progress.submittedAt ?? now, now);
    // First attempt, or a retry after a failure: a failed transaction may have been mined since.
    if (hash) {
      const mined = await this.#receipt(hash);
      if (mined?.status === "success") return this.#follow(hash, progress.submittedAt ?? now, now);
    }
    const sent = await this.#send(checkpoint, hash);
    return { status: "pending", reference: sent, submittedAt: now, blockNumber: null };
  }

  async #receipt(hash: Hex) {
    try {
      return await this.#client.getTransactionReceipt({ hash });
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return null;
      throw error;
    }
  }

  /** Pending until mined and `confirmations` deep; throws (→ failed, retried) if reverted, dropped or late. */
  async #follow(hash: Hex, submittedAt: Date, now: Date): Promise<AnchorResult> {
    const receipt = await this.#receipt(hash);
    if (receipt) {
      if (receipt.status !== "success") throw new Error(`anchor transaction ${hash} reverted in block ${receipt.blockNumber}`);
      const block = Number(receipt.blockNumber);
      const depth = Number(await this.#client.getBlockNumber({ cacheTime: 0 })) - block + 1;
      return depth >= this.settings.confirmations
        ? { status: "confirmed", reference: hash, blockNumber: block }
        : { status: "pending", reference: hash, blockNumber: block };
    }
    try {
      await this.#client.getTransaction({ hash });
    } catch (error) {
      if (error instanceof TransactionNotFoundError)
        throw new Error(`anchor transaction ${hash} was dropped by the node before it was mined`);
      throw error;
    }
    const waited = now.getTime() - submittedAt.getTime();
    if (waited > this.settings.timeoutMs) {
      throw new Error(`anchor transaction ${hash} was not mined within ${Math.round(this.settings.timeoutMs / 1000)} s`);
    }
    return { status: "pending", reference: hash, blockNumber: null };
  }

  /** Sends the anchor transaction (deploying the contract first if this account has none); replaces `previous` if it is still waiting. */
  async #send(checkpoint: AnchorCheckpoint, previous: Hex | null): Promise<Hex> {
    const account = await this.account();
    const chain = chainOf(this.settings);
    const wallet = createWalletClient({ account, chain, transport: http(this.settings.rpcUrl, { retryCount: 0, timeout: 10_000 }) });
    const chainId = await this.#client.getChainId();
    if (chainId !== this.settings.chainId) {
      throw new Error(
        `the RPC at LATCHKEY_AUDIT_CHAIN_RPC_URL serves chain ${chainId}, not LATCHKEY_AUDIT_CHAIN_ID ${this.settings.chainId}`,
      );
    }
    const contract = await this.#ensureContract(wallet, account.address);
    const data = encodeAbiParameters(PAYLOAD, [checkpoint.origin, BigInt(checkpoint.treeSize), `0x${checkpoint.rootHash.toString("hex")}`]);
    const replacing = previous ? await this.#stillWaiting(previous) : null;
    if (replacing) {
      // Same nonce, fees raised by a quarter (nodes require at least a tenth more to replace).
      const fees = await this.#client.estimateFeesPerGas();
      const bump = (value: bigint | undefined, floor: bigint) => {
        const raised = (floor * 125n) / 100n + 1n;
        return value !== undefined && value > raised ? value : raised;
      };
      return wallet.sendTransaction({
        to: contract,
        data,
        nonce: replacing.nonce,
        maxFeePerGas: bump(fees.maxFeePerGas, replacing.maxFeePerGas ?? replacing.gasPrice ?? 0n),
        maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas, replacing.maxPriorityFeePerGas ?? 0n),
      });
    }
    return wallet.sendTransaction({ to: contract, data });
  }

  async #stillWaiting(hash: Hex) {
    try {
      const tx = await this.#client.getTransaction({ hash });
      return tx.blockNumber === null ? tx : null;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return null;
      throw error;
    }
  }

  async #ensureContract(wallet: ReturnType<typeof createWalletClient>, address: Address): Promise<Address> {
    const contract = anchorContractOf(this.settings, address);
    const code = await this.#client.getCode({ address: contract });
    if (code && code !== "0x") return contract;
    if (this.settings.contract) throw new Error(`LATCHKEY_AUDIT_CHAIN_CONTRACT ${contract} has no code on chain ${this.settings.chainId}`);
    const [mined, pending] = await Promise.all([
      this.#client.getTransactionCount({ address, blockTag: "latest" }),
      this.#client.getTransactionCount({ address, blockTag: "pending" }),
    ]);
    if (mined > 0) {
      throw new Error(
        `the anchoring account ${address} has sent transactions but created no anchor contract at ${contract}: set LATCHKEY_AUDIT_CHAIN_CONTRACT to the contract to anchor to`,
      );
    }
    // Nonce 0 is the deployment; if it is already waiting in the pool, the anchor simply follows it.
    if (pending === 0) {
      const account = wallet.account;
      if (!account) throw new Error("no anchoring account");
      await wallet.sendTransaction({ account, chain: wallet.chain, data: anchorInitCode(), nonce: 0 });
    }
    return contract;
  }
}

/**
 * Reads back every checkpoint the account anchored on the chain (from `fromBlock`), oldest first, with
 * the block and transaction of each. Logs whose data does not decode are reported as malformed.
 */
export class ChainAnchorReader implements AnchorReader {
  readonly sink = "chain";
  readonly #client: PublicClient;

  constructor(
    readonly settings: ChainSettings,
    readonly account: Address,
  ) {
    this.#client = publicClientFor(settings);
  }

  get describe(): string {
    return `chain ${this.settings.chainId} (contract ${anchorContractOf(this.settings, this.account)}, account ${this.account})`;
  }

  async read(): Promise<AnchoredCheckpoint[]> {
    const chainId = await this.#client.getChainId();
    if (chainId !== this.settings.chainId) {
      throw new Error(
        `the RPC at LATCHKEY_AUDIT_CHAIN_RPC_URL serves chain ${chainId}, not LATCHKEY_AUDIT_CHAIN_ID ${this.settings.chainId}`,
      );
    }
    const logs = await this.#client.getLogs({
      address: anchorContractOf(this.settings, this.account),
      event: CHECKPOINT_EVENT,
      args: { submitter: this.account },
      fromBlock: BigInt(this.settings.fromBlock ?? 0),
      toBlock: "latest",
      blockRange: 10_000n,
    });
    return logs.map((log) => {
      const where = `block ${log.blockNumber}, transaction ${log.transactionHash}`;
      const { origin, treeSize, rootHash } = log.args;
      if (origin === undefined || treeSize === undefined || rootHash === undefined || treeSize < 1n) {
        return {
          sink: "chain",
          where,
          reference: log.transactionHash,
          origin: "",
          treeSize: 0,
          rootHash: Buffer.alloc(32),
          note: null,
          malformed: "undecodable",
        };
      }
      return {
        sink: "chain",
        where,
        reference: log.transactionHash,
        origin,
        treeSize: Number(treeSize),
        rootHash: Buffer.from(rootHash.slice(2), "hex"),
        note: null,
      };
    });
  }
}
