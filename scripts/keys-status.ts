// npm run keys:status — the keyring's KEK versions and how many data keys and values each one wraps.
import { fail, openCli } from "./cli";

async function main() {
  const { database, vault } = await openCli();
  try {
    const keyring = vault.dataKeys.keyring;
    const [keks, counts] = await Promise.all([keyring.listKeks(), vault.dataKeys.countsByKek()]);
    console.log(`Keyring: ${keyring.kind}; current KEK: ${keyring.currentKekId()}\n`);
    const rows = [
      ...keks.map((k) => ({ id: k.id, state: k.current ? "current" : k.retired ? "retired" : "active", created: k.createdAt ?? "" })),
      ...counts.filter((c) => !keks.some((k) => k.id === c.kekId)).map((c) => ({ id: c.kekId, state: "unknown", created: "" })),
    ];
    const width = Math.max(6, ...rows.map((r) => r.id.length));
    console.log(`${"KEK".padEnd(width)}  ${"state".padEnd(8)}  ${"DEKs".padStart(7)}  ${"values".padStart(9)}  created`);
    for (const row of rows) {
      const c = counts.find((x) => x.kekId === row.id);
      console.log(
        `${row.id.padEnd(width)}  ${row.state.padEnd(8)}  ${String(c?.deks ?? 0).padStart(7)}  ${String(c?.values ?? 0).padStart(9)}  ${row.created}`,
      );
    }
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();
