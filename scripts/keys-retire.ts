// npm run keys:retire -- <kek id> — retires an old local KEK version once no data key is wrapped under it.
import { retireKek } from "@/lib/vault/key-rotation";
import { fail, openCli } from "./cli";

async function main() {
  const kekId = process.argv[2];
  if (!kekId) fail(new Error("Usage: npm run keys:retire -- <kek id>   (see npm run keys:status)"));
  const { database, vault } = await openCli();
  try {
    await retireKek(vault.dataKeys, kekId);
    console.log(`Retired ${kekId}. Values wrapped under it can no longer be opened; none remain.`);
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();
