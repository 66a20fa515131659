// An extension's directory as the CLI reads it: its manifest (manifest.yaml, latchkey.yaml or --manifest)
// and the files that ship, packed as a .tar.gz for `latchkey publish --source`. @latchkey/scan and yaml
// are imported when a command needs them, so `latchkey --help` loads neither.
import fs from "node:fs";
import path from "node:path";
import { CliError } from "./api";

export const MANIFEST_NAMES = ["manifest.yaml", "manifest.yml", "latchkey.yaml", "latchkey.yml"];

export interface DirManifest {
  file: string;
  data: unknown;
  id: string | null;
  version: string | null;
}

/** The manifest of `dir` (or `explicit`), parsed; null when the directory has none. */
export async function readDirManifest(dir: string, explicit?: string): Promise<DirManifest | null> {
  const file = explicit ?? MANIFEST_NAMES.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
  if (!file) return null;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const { parse } = await import("yaml");
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid YAML: ${(error as Error).message}`);
  }
  const extension = (data as { extension?: { id?: unknown; version?: unknown } } | null)?.extension;
  return {
    file,
    data,
    id: typeof extension?.id === "string" ? extension.id : null,
    version: typeof extension?.version === "string" || typeof extension?.version === "number" ? String(extension.version) : null,
  };
}

/** The files of `dir` that ship as a gzip-compressed tar (paths relative to `dir`, times zeroed). */
export async function packShippedFiles(dir: string): Promise<{ archive: Buffer; files: number }> {
  const { listShippedFiles } = await import("@latchkey/scan");
  const { default: tarStream } = await import("tar-stream");
  const zlib = await import("node:zlib");
  let files;
  try {
    files = listShippedFiles(dir);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on("data", (chunk: unknown) => void chunks.push(chunk as Buffer));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const file of files) pack.entry({ name: file.path, mode: 0o644, mtime: new Date(0) }, fs.readFileSync(file.absolute));
  pack.finalize();
  return { archive: zlib.gzipSync(await done), files: files.length };
}
