// The demo OAuth provider as the app starts it (lib/oauth/demo.ts: a child process with an IPC channel)
// does not outlive the app: killed with SIGKILL, the app cannot stop it, and the provider exits on its own
// when the channel closes, freeing its port for the next start.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";

// The app's side, as lib/oauth/demo.ts spawns it; the provider's stdout is inherited from this parent, so
// the test's pipe stays open for as long as the provider lives.
const parentScript = `
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, [${JSON.stringify(path.resolve("scripts/demo-oauth-provider.mjs"))}], {
  stdio: ["ignore", "inherit", "inherit", "ipc"],
  env: { ...process.env, DEMO_OAUTH_PORT: "0", DEMO_OAUTH_CLIENT_ID: "demo", DEMO_OAUTH_CLIENT_SECRET: "secret",
    DEMO_OAUTH_REDIRECT_URIS: "http://127.0.0.1:9/cb" },
});
child.channel.unref();
setInterval(() => {}, 60000);
`;

it("exits when the app that started it is killed with SIGKILL", async () => {
  const parent = spawn(process.execPath, ["-e", parentScript], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const listening = new Promise<void>((resolve) =>
    parent.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening on")) resolve();
    }),
  );
  // The pipe ends once every process holding it has exited: the parent, and the provider it started.
  const pipeClosed = new Promise<void>((resolve) => parent.stdout.on("end", resolve));
  await listening;
  parent.kill("SIGKILL");
  await pipeClosed;
  expect(output).toContain("demo OAuth provider listening on http://");
}, 30_000);
