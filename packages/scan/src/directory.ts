// Reading an extension's directory on disk (`latchkey scan DIR`, `latchkey publish --source DIR`): the
// files that ship, by select.ts's filter and the directory's own ignore file. Symbolic links are not
// followed (a link could point anywhere on the author's machine) and binary files are left out.
import fs from "node:fs";
import path from "node:path";
import { IGNORE_FILE, shipFilter } from "./select";

/** Files larger than this are not read (generated bundles, data): 5 MiB. */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface ShippedFile {
  /** Relative to the root, with `/` separators. */
  path: string;
  /** Absolute path on disk. */
  absolute: string;
  size: number;
}

/**
 * Every regular file under `root` that ships (DEFAULT_IGNORES, then `root/.latchkeyignore`), in a
 * stable order. Throws when `root` is not a directory.
 */
export function listShippedFiles(root: string): ShippedFile[] {
  const stat = fs.statSync(root, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) throw new Error(`${root} is not a directory.`);
  const ignoreFile = path.join(root, IGNORE_FILE);
  const filter = shipFilter(fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, "utf8") : null);
  const out: ShippedFile[] = [];
  const walk = (dir: string, rel: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!filter.ignores(`${relPath}/`)) walk(absolute, relPath);
      } else if (entry.isFile() && !filter.ignores(relPath)) {
        out.push({ path: relPath, absolute, size: fs.statSync(absolute).size });
      }
    }
  };
  walk(root, "");
  return out;
}

/** The text of a shipped file, or null when it is too large or binary (holds a NUL byte). */
export function readText(file: ShippedFile): string | null {
  if (file.size > MAX_FILE_BYTES) return null;
  const buffer = fs.readFileSync(file.absolute);
  if (buffer.includes(0)) return null;
  return buffer.toString("utf8");
}
