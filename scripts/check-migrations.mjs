// `npm run check:migrations` (a step of .ci/run): committed migrations are never edited again, and the
// schema has no change without its migration. drizzle's migrator only compares timestamps, so an edited
// migration is re-run or skipped on databases that applied the old text (lib/db/migrations.ts refuses
// such a history at start; this check stops the edit before it ships). It fails when:
//   1. a migration file or snapshot that exists at the base commit differs from it, or is gone
//      (git diff --exit-code <base> -- <those files>; new files are fine);
//   2. the base commit's journal entries are not, unchanged, the start of today's journal, or the journal's
//      timestamps do not increase;
//   3. `drizzle-kit generate` (into a scratch copy of drizzle/) finds a schema change with no migration.
// The base is LATCHKEY_MIGRATIONS_BASE, default 48cec36 (the commit issue 14 starts from); it needs the
// git history (a clone deep enough to hold it).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const base = process.env.LATCHKEY_MIGRATIONS_BASE || "48cec36";
let failures = 0;

function check(ok, what, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${!ok && detail ? `\n     ${detail.trim().split("\n").join("\n     ")}` : ""}`);
  if (!ok) failures++;
  return ok;
}

function git(...args) {
  const result = spawnSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return { code: result.status ?? 1, out: result.stdout ?? "", err: result.stderr ?? "" };
}

if (git("cat-file", "-e", `${base}^{commit}`).code !== 0) {
  check(false, `base commit ${base} is in this clone`, "Fetch the history (git fetch --unshallow) or set LATCHKEY_MIGRATIONS_BASE.");
  process.exit(1);
}

// 1. Files committed at the base: unchanged and still there.
const committed = git("ls-tree", "-r", "--name-only", base, "--", "drizzle/")
  .out.split("\n")
  .filter((f) => f && f !== "drizzle/meta/_journal.json");
const diff = git("diff", "--exit-code", "--stat", base, "--", ...committed);
check(
  diff.code === 0,
  `the ${committed.length} migration files and snapshots committed at ${base} are unchanged`,
  `${diff.out}${diff.err}\nA committed migration is never edited: add a new one (npm run db:generate) instead.`,
);

// 2. The journal only grows.
const journalAt = (text) => JSON.parse(text).entries;
const before = journalAt(git("show", `${base}:drizzle/meta/_journal.json`).out);
const now = journalAt(fs.readFileSync(path.join(root, "drizzle", "meta", "_journal.json"), "utf8"));
const changed = before.filter((entry, i) => JSON.stringify(entry) !== JSON.stringify(now[i]));
check(
  changed.length === 0,
  `drizzle/meta/_journal.json keeps the ${before.length} entries of ${base} unchanged, in order`,
  changed.map((e) => `changed or moved: ${e.tag} (when ${e.when})`).join("\n"),
);
const backwards = now.filter((entry, i) => i > 0 && entry.when <= (now[i - 1]?.when ?? 0));
check(
  backwards.length === 0,
  "journal timestamps increase (the migrator applies what is newer than the last applied)",
  backwards.map((e) => `${e.tag} (when ${e.when}) is not after the entry before it`).join("\n"),
);

// 3. No pending schema change: generate into a scratch copy and expect nothing new.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-drizzle-"));
try {
  fs.cpSync(path.join(root, "drizzle"), scratch, { recursive: true });
  const generated = spawnSync(
    "npx",
    ["drizzle-kit", "generate", "--dialect", "postgresql", "--schema", "./lib/db/schema/index.ts", "--out", path.relative(root, scratch)],
    { cwd: root, encoding: "utf8" },
  );
  const list = (dir) => fs.readdirSync(dir, { recursive: true }).map(String).sort();
  const added = list(scratch).filter((f) => !list(path.join(root, "drizzle")).includes(f));
  check(
    generated.status === 0 && added.length === 0,
    "drizzle-kit generate reports no pending schema change",
    `${generated.stdout}${generated.stderr}`.trim().split("\n").slice(-5).join("\n") +
      (added.length ? `\nit would add ${added.join(", ")}: run npm run db:generate and commit the migration` : ""),
  );
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

console.log(`check-migrations: ${failures === 0 ? "passed" : `${failures} failed`}`);
process.exit(failures === 0 ? 0 : 1);
