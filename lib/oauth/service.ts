// OAuth connections as one object over their dependencies: flows, connections, the refresher and the
// runtime's broker. The app builds one per process (lib/oauth/index.ts); tests and the worker build
// their own over their database and vault.
import type { AuditSource } from "@/lib/audit/events";
import type { UserActor } from "@/lib/auth/actor";
import { logger } from "@/lib/logger";
import { ConnectionBroker } from "@/lib/oauth/connection-broker";
import { clientSecrets, concreteProvider, disconnect, listConnections, type OAuthDeps } from "./connections";
import { completeAuthorization, planConnect, startAuthorization, type CallbackRequest, type StartRequest } from "./flow";
import { connectionProvider } from "./connection-provider";
import { Refresher } from "./refresh";

export class OAuthService {
  readonly refresher: Refresher;
  readonly broker: ConnectionBroker;
  /** Refreshes made on demand are audited as API activity; the background ones as the worker's. */
  readonly #background: Refresher;
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<unknown> | undefined;

  constructor(readonly deps: OAuthDeps) {
    this.refresher = new Refresher(deps, { kind: "api" });
    this.#background = new Refresher(deps, { kind: "worker" });
    this.broker = new ConnectionBroker(deps, this.refresher);
  }

  start(request: StartRequest, actor: UserActor, source: AuditSource) {
    return startAuthorization(this.deps, actor, request, source);
  }

  plan(request: Omit<StartRequest, "returnTo" | "binding">, actor: UserActor) {
    return planConnect(this.deps, actor, request);
  }

  complete(request: CallbackRequest, actor: UserActor, source: AuditSource) {
    return completeAuthorization(this.deps, actor, request, source);
  }

  list(actor: UserActor) {
    return listConnections(this.deps.db, actor);
  }

  disconnect(actor: UserActor, connectionId: string, source: AuditSource) {
    return disconnect(this.deps, actor, connectionId, source, async (row) => {
      const found = await connectionProvider(this.deps, row);
      if (!found) return null;
      const owner = { orgId: row.orgId, userId: row.ownerKind === "user" ? row.ownerId : null };
      const provider = await concreteProvider(this.deps, found.provider, found.client, owner, source);
      return { provider, secrets: () => clientSecrets(this.deps, found.client, found.provider.displayName, source) };
    });
  }

  /** One background pass: refresh whatever expires within the refresh-ahead window. */
  refreshDue(options?: Parameters<Refresher["refreshDue"]>[0]) {
    return this.#background.refreshDue(options);
  }

  /** Runs the background refresher every `intervalMs` (timers unref'd, passes never overlap). */
  startBackground(intervalMs: number) {
    if (this.#timer) return;
    const tick = async () => {
      try {
        this.#pass = this.refreshDue();
        await this.#pass;
      } catch (error) {
        (this.deps.logger ?? logger).error({ err: error instanceof Error ? error.message : String(error) }, "oauth refresher pass failed");
      } finally {
        this.#pass = undefined;
        if (this.#timer) this.#timer = setTimeout(tick, intervalMs).unref();
      }
    };
    this.#timer = setTimeout(tick, intervalMs).unref();
  }

  /** Stops the background refresher; resolves once a pass in progress has finished (for a graceful shutdown). */
  async stopBackground(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#pass?.catch(() => {});
  }
}
