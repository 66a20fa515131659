// The SDK lives in packages/sdk and is published as @latchkey/sdk; this re-export keeps `@/lib/sdk`
// imports inside the app (benchmarks, tests) working without a second copy of it.
export * from "@latchkey/sdk";
