// npm run keys:rotate — makes a new local KEK version (or adopts the KMS key now in KMS_KEY_ID) and
// re-wraps every data key under it online. Every secret stays readable; nobody re-enters anything.
import os from "node:os";
import { rotateKeys } from "@/lib/vault/key-rotation";
import { fail, openCli, progress } from "./cli";

async function main() {
  const { database, vault } = await openCli();
  try {
    const result = await rotateKeys(
      database.db,
      vault.dataKeys,
      { actor: { kind: "system", id: `cli:${os.userInfo().username}` }, source: { kind: "cli", userAgent: "latchkey keys:rotate" } },
      { onProgress: progress("Re-wrapping data keys") },
    );
    if (process.stdout.isTTY) process.stdout.write("\n");
    console.log(
      `Rotated ${result.fromKekId} → ${result.toKekId}: ${result.rewrapped} data keys re-wrapped in ${result.seconds.toFixed(1)}s.` +
        (result.fromKekId !== result.toKekId
          ? `\nOnce no other process still uses it, retire the old key: npm run keys:retire -- ${result.fromKekId}`
          : ""),
    );
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();
