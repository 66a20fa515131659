// Which imports Latchkey allows (`npm run check:deps`, a step of .ci/run). ../shared/DESIGN.md and README's
// "Code layout" say imports point down only; this file is where that is checked. dependency-cruiser reads
// the TypeScript sources (tsconfig paths, so `@/lib/...` resolves) and fails on any rule below.
//
// lib/ is ordered in layers, bottom to top. A module may import its own layer and any layer below it,
// never one above. A few files live in a domain's folder but belong to another layer; they are named in
// the layer's pattern (negative lookaheads) so that each file is in exactly one layer.
const LAYERS = [
  // Foundation: configuration, the logger, time helpers, the one DomainError base, the request context,
  // text and redirect checks, path encoding, the metrics registry, and the SDK re-export.
  ["core", "^lib/(env|logger|clock-skew|format-time)\\.ts$|^lib/core/|^lib/sdk/"],
  // Schema, client, ids, migrations (lib/db/index.ts, which opens the app's database, is composition).
  ["db", "^lib/db/(?!index\\.ts$)"],
  // Keyrings, data keys, seal/open.
  ["crypto", "^lib/crypto/"],
  // The audit trail: append, sequencer, Merkle tree, checkpoints, anchors, verification.
  ["audit", "^lib/audit/(?!index\\.ts$)"],
  // Secrets: writes and their audit events in one transaction.
  ["vault", "^lib/vault/(?!index\\.ts$)"],
  // Built-in OAuth providers as data and the provider shape: types and data only, read by manifests,
  // extensions (provider ids) and the OAuth code.
  ["provider-catalogue", "^lib/oauth/catalogue/"],
  // Manifest parsing, schemas, and what a manifest declares (secrets, OAuth requirements).
  ["manifest", "^lib/manifest/"],
  // Source archives for the publish-time scanner (the rules themselves are @latchkey/scan).
  ["scan", "^lib/scan/"],
  // Actors, role guards, sign-in areas (next-auth's options and the per-request session are composition).
  ["auth", "^lib/auth/(?!(options|session)\\.ts$)"],
  // Publishers, extensions, versions, publishing, installations, the setup wizard, panel secrets.
  ["extensions", "^lib/extensions/"],
  // The wrapper of route handlers and server actions: respond, route, action, rate limits, request log
  // (lib/http/limits.ts, which builds the app's limits from env, is composition).
  ["http", "^lib/http/(?!limits\\.ts$)"],
  // Runtime tokens, the runtime API, readiness, dispatch; it owns the OAuthBroker seam oauth implements.
  ["runtime", "^lib/runtime/(?!(index|mint-main)\\.ts$)"],
  // Providers, flows, connections, the refresher, the connection broker.
  ["oauth", "^lib/oauth/(?!index\\.ts$|catalogue/)"],
  // Read models and data over several domains: the admin overview, the demo seed, the OpenAPI document
  // (built from every domain's request and response schemas).
  ["features", "^lib/(admin|demo|openapi)/"],
  // Readiness, metrics endpoints, shutdown.
  ["ops", "^lib/ops/(?!index\\.ts$)"],
  // Composition roots: the per-process singletons wired from env (getDb, getVault, getOAuth, …),
  // next-auth's options and session, the token-mint command, and start-up.
  [
    "composition",
    "^lib/(db|vault|audit|oauth|runtime|ops)/index\\.ts$|^lib/http/limits\\.ts$|^lib/auth/(options|session)\\.ts$|^lib/runtime/mint-main\\.ts$|^lib/startup\\.ts$",
  ],
];

// Tests may reach across layers (a vault test seeds extensions); nothing imports a test, so they cannot
// make a cycle, and the cycle rule still reads them.
const TESTS = "\\.(test|spec)\\.tsx?$";

const layerRules = LAYERS.slice(0, -1).map(([name, path], i) => ({
  name: `layer-${name}`,
  comment: `lib layer "${name}" imports only itself and the layers below it (${
    LAYERS.slice(0, i)
      .map(([n]) => n)
      .join(", ") || "none"
  }); above it: ${LAYERS.slice(i + 1)
    .map(([n]) => n)
    .join(", ")}. Move the code to the layer that owns it, or pass the higher piece in as a parameter.`,
  severity: "error",
  from: { path, pathNot: TESTS },
  to: {
    path: LAYERS.slice(i + 1)
      .map(([, p]) => `(?:${p})`)
      .join("|"),
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "No import cycles anywhere in our code, type-only imports included: a cycle means two modules own each other's " +
        "work, and a type cycle is the same ownership mistake even though it is erased at run time.",
      severity: "error",
      from: { path: "^(app|components|lib|scripts|bench|test|packages/[^/]+/src)/" },
      to: { circular: true },
    },
    {
      name: "lib-not-to-app",
      comment:
        "lib/ is the domain, usable without Next: it never imports routes (app/) or React components (components/). " +
        "Its tests may call a route handler to check what a client receives.",
      severity: "error",
      from: { path: "^lib/", pathNot: TESTS },
      to: { path: "^(app|components)/" },
    },
    {
      name: "components-not-to-db",
      comment: "Components never import lib/db (DESIGN.md): they get data from pages and actions, and `import type` what they show.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^lib/db/" },
    },
    {
      name: "sdk-stands-alone",
      comment: "@latchkey/sdk ships on its own with zero runtime dependencies: it imports nothing from the app or the other packages.",
      severity: "error",
      from: { path: "^packages/sdk/src/" },
      to: { path: "^(app|components|lib|scripts|bench|test|e2e|examples)/|^packages/(?!sdk/)" },
    },
    {
      name: "packages-not-to-app",
      comment: "Packages are built and packed on their own: none imports the app's sources.",
      severity: "error",
      from: { path: "^packages/[^/]+/src/" },
      to: { path: "^(app|components|lib|scripts|bench|test|e2e)/" },
    },
    {
      name: "no-test-helpers-in-product",
      comment: "What ships (app/, components/, lib/) never imports a test helper (test/) or a test file.",
      severity: "error",
      from: { path: "^(app|components|lib)/", pathNot: TESTS },
      to: { path: `^test/|${TESTS}` },
    },
    {
      name: "lib-in-a-layer",
      comment:
        "Every lib module belongs to a layer in LAYERS above, so that the layer rules see it: a new folder or top-level " +
        "file is added to the layer that owns it.",
      severity: "error",
      from: { path: "^lib/", pathNot: [TESTS, ...LAYERS.map(([, p]) => `(?:${p})`)] },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next[^/]*|dist|dist-scripts)/" },
    // Type-only imports count: a layer may not even name a higher layer's types.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
