#!/usr/bin/env node
// `npx latchkey`: runs the TypeScript CLI in cli/ through tsx (a devDependency of this repo), with the
// repo's tsconfig so `@/` imports resolve from any working directory.
import { fileURLToPath } from "node:url";
import { register } from "tsx/cjs/api";

// The repo's .ts files are CommonJS to Node (package.json has no "type": "module"), so the CLI is
// loaded through tsx's require hook.
register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
const { createRequire } = await import("node:module");
const { main } = createRequire(import.meta.url)("../cli/index.ts");
process.exitCode = await main(process.argv);
