// OAuth connections as one object over their dependencies: flows, connections, the refresher and the
// runtime's broker. The app builds one per process (lib/oauth/index.ts); tests and the worker build
// their own over their database and vault.
import type { AuditSource } from "@/lib/audit/events";
import type { UserActor } from "@/lib/auth/actor";
import { logger } from "@/lib/log";
import { ConnectionBroker } from "./broker";
import { clientSecrets, disconnect, listConnections, type OAuthDeps } from "./connections";
import { completeAuthorization, planConnect, startAuthorization, type CallbackRequest, type StartRequest } from "./flow";
import { connectionProvider, Refresher } from "./refresh";

export class OAuthService {
  readonly refresher: Refresher;
  readonly broker: ConnectionBroker;
  /** Refreshes made on demand are audited as API activity; the background ones as the worker's. */
  readonly #background: Refresher;
  #timer: NodeJS.Timeout | undefined;

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
      return { provider: found.provider, secrets: () => clientSecrets(this.deps, found.client, found.provider.displayName, source) };
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
        await this.refreshDue();
      } catch (error) {
        (this.deps.logger ?? logger).error({ err: error instanceof Error ? error.message : String(error) }, "oauth refresher pass failed");
      } finally {
        if (this.#timer) this.#timer = setTimeout(tick, intervalMs).unref();
      }
    };
    this.#timer = setTimeout(tick, intervalMs).unref();
  }

  stopBackground() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
