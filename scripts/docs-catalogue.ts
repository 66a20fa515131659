// npm run docs:catalogue — writes README's table of built-in OAuth providers from the catalogue's data
// (lib/oauth/catalogue/), between the markers in README.md, formatted as Prettier formats README.
// `npm run docs:catalogue -- --check` only says whether README is current (exit 1 when stale).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as prettier from "prettier";
import { catalogueEntries } from "@/lib/oauth/catalogue";
import { CATALOGUE_MARKERS, catalogueTable } from "@/lib/oauth/catalogue/table";

export const README = path.join(import.meta.dirname, "..", "README.md");

/**
 * README's text with the catalogue table between the markers replaced by the one generated from the data.
 *
 * @throws Error when README lacks the markers (they say where the table goes)
 */
export async function withCatalogueTable(readme: string): Promise<string> {
  const start = readme.indexOf(CATALOGUE_MARKERS.start);
  const end = readme.indexOf(CATALOGUE_MARKERS.end);
  if (start < 0 || end < start) throw new Error(`README.md has no "${CATALOGUE_MARKERS.start}" … "${CATALOGUE_MARKERS.end}" markers`);
  const options = (await prettier.resolveConfig(README)) ?? {};
  const table = (await prettier.format(catalogueTable(catalogueEntries), { ...options, parser: "markdown" })).trimEnd();
  return `${readme.slice(0, start + CATALOGUE_MARKERS.start.length)}\n\n${table}\n\n${readme.slice(end)}`;
}

async function main() {
  const readme = await readFile(README, "utf8");
  const updated = await withCatalogueTable(readme);
  if (process.argv.includes("--check")) {
    if (updated !== readme) {
      console.error("README.md's catalogue table is stale: run npm run docs:catalogue");
      process.exit(1);
    }
    console.log(`README.md's catalogue table is current (${catalogueEntries.length} providers).`);
    return;
  }
  if (updated !== readme) await writeFile(README, updated);
  console.log(`README.md: catalogue table of ${catalogueEntries.length} providers ${updated === readme ? "already current" : "written"}.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
