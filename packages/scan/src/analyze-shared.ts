// The rule steps both language analyzers run the same way, whatever the grammar: the SDK-call checks
// against the manifest, the outermost-only report of config reads, the credential-like key of a store
// read, one finding per node for the secret-flow rules, and where a value from secrets.get goes when it
// is handed to a call. Each analyzer supplies its grammar's nodes; the judgement lives here once.
import type { SgNode } from "@ast-grep/napi";
import {
  CONFIG_RECEIVER,
  LOGGER_CALL,
  RESPONSE_CALL,
  TRANSPARENT_CALL,
  credentialKey,
  declarationsFor,
  isStoreReceiver,
  report,
  type AnalyzeContext,
} from "./common";

/** Whether `a` is the node `b` (ast-grep hands out a fresh object per visit). */
export function sameNode(a: SgNode | null | undefined, b: SgNode): boolean {
  return !!a && a.id() === b.id();
}

/** A `secrets.<method>(ref)` call; `ref` is null when the name is computed. */
export interface SdkCall {
  call: SgNode;
  method: string;
  ref: string | null;
}

const SDK_WRITES = new Set(["set", "delete", "rotate"]);

/** Records an SDK call, reporting a name the manifest does not declare or a write to a user-written secret. */
export function checkSdkCall(ctx: AnalyzeContext, found: SdkCall): SdkCall {
  const { call, method, ref } = found;
  if (!ctx.declared || ref === null) return found;
  const matches = declarationsFor(ctx.declared, ref);
  if (matches.length === 0) {
    report(ctx, "sdk-undeclared-secret", call, `secrets.${method}("${ref}") names a secret the manifest does not declare.`);
  } else if (SDK_WRITES.has(method) && matches.every((d) => d.writeMode === "user")) {
    const d = matches[0];
    report(
      ctx,
      "sdk-user-secret-write",
      call,
      `secrets.${method}("${ref}") writes ${d?.scope}.${d?.name}, whose write_mode is user: only the user may set it.`,
    );
  }
  return found;
}

/** Member and subscript reads of a config object (`config.x`, `settings["x"]`), in the grammar's kinds. */
export function configAccesses(root: SgNode, member: string, subscript: { kind: string; object: string }): SgNode[] {
  return root.findAll({
    rule: {
      any: [
        { kind: member, has: { field: "object", regex: CONFIG_RECEIVER } },
        { kind: subscript.kind, has: { field: subscript.object, regex: CONFIG_RECEIVER } },
      ],
    },
  });
}

/**
 * Reports a config read unless an already reported site contains it: `config.spotify.clientSecret`
 * matches twice (config.spotify, and .clientSecret on it), and only the outermost is reported.
 */
export function reportOutermost(ctx: AnalyzeContext, reported: SgNode[], site: SgNode, message: string): void {
  const { start, end } = site.range();
  if (reported.some((r) => r.range().start.index <= start.index && r.range().end.index >= end.index)) return;
  reported.push(site);
  report(ctx, "config-credential-read", site, message);
}

/** Receivers a store rule leaves to other rules (the SDK, config objects, and `extra`, e.g. `environ`). */
const notAStore = (extra: string) => new RegExp(`(^|\\.)secrets$|config|settings${extra}`, "i");
const NOT_A_STORE = { js: notAStore(""), python: notAStore("|environ") };

/** The credential-like key a store read asks for (`redis.get("api_key")`), if the receiver is a store. */
export function storeCredentialKey(
  receiver: string,
  aliases: ReadonlySet<string>,
  language: keyof typeof NOT_A_STORE,
  keyTexts: string[],
): string | undefined {
  if (!isStoreReceiver(receiver, aliases) || NOT_A_STORE[language].test(receiver)) return undefined;
  return keyTexts.find(credentialKey);
}

/** The rules that follow a value read with secrets.get. */
export type SecretFlowRule = "secret-kept-beyond-handler" | "secret-logged" | "secret-returned";
/** Reports one secret-flow finding; a node already reported for the rule is not reported again. */
export type Flag = (rule: SecretFlowRule, node: SgNode, message: string) => void;

/** A Flag over `ctx` that reports each (rule, key of node) once. */
export function flagOnce(ctx: AnalyzeContext, keyOf: (node: SgNode) => number): Flag {
  const flagged = new Set<string>();
  return (rule, node, message) => {
    const key = `${rule}:${keyOf(node)}`;
    if (flagged.has(key)) return;
    flagged.add(key);
    report(ctx, rule, node, message);
  };
}

/** The outermost node whose value is the call's value (through `await`, parentheses, `?? fallback`…). */
export function valueHolder(call: SgNode, unwrap: (node: SgNode) => SgNode): SgNode {
  let holder: SgNode = call;
  for (let p = call.parent(); p && sameNode(unwrap(p), call); p = p.parent()) holder = p;
  return holder;
}

/**
 * Adds to `tainted` each name bound to a value derived from a tainted one (one hop: `prefix = key[:5]`).
 * `bindings` are the (name, value) pairs of the function; `carries` says whether a value hands on `t`.
 */
export function addDerived(
  tainted: Set<string>,
  bindings: { name: SgNode | null; value: SgNode | null }[],
  carries: (value: SgNode, t: string) => boolean,
): void {
  for (const { name, value } of bindings) {
    if (!value || name?.kind() !== "identifier" || tainted.has(name.text())) continue;
    if ([...tainted].some((t) => carries(value, t))) tainted.add(name.text());
  }
}

/** A store method that keeps a value beyond the call (`cache.set`, `redis.hset`…). */
export const KEEPING_STORE_CALL = /(^|\.)(cache|memo|store|redis|kv|lru)\w*\.(set|put|hset|setex|add)$/i;

/** How the calls of one language hand a secret on (see followCall). */
export interface CallSinks {
  /** Calls that send their argument as a response (JavaScript's `res.json`); null when none. */
  response: RegExp | null;
  /** Whether a call keeps its argument beyond the handler besides the usual store methods. */
  keeps?: (fnText: string) => boolean;
}

/**
 * What a call does with a secret passed to it (`held` names the value and its variable): flags a logger,
 * a response, or a store call and returns "stop"; returns "through" when the call only changes the
 * value's form (`str(key)`, `key.encode()`), so the value goes on; any other call takes it ("stop").
 */
export function followCall(flag: Flag, call: SgNode, fnText: string, held: string, sinks: CallSinks): "stop" | "through" {
  if (LOGGER_CALL.test(fnText)) {
    flag("secret-logged", call, `Passes ${held} to ${fnText}().`);
    return "stop";
  }
  if (sinks.response?.test(fnText)) {
    flag("secret-returned", call, `Sends ${held} in a response.`);
    return "stop";
  }
  if (KEEPING_STORE_CALL.test(fnText) || sinks.keeps?.(fnText)) {
    flag("secret-kept-beyond-handler", call, `Stores ${held} with ${fnText}(), where it outlives the handler.`);
    return "stop";
  }
  return TRANSPARENT_CALL.test(fnText) || RESPONSE_CALL.test(fnText) ? "through" : "stop";
}
