// Unpacking an uploaded source archive (.zip or .tar.gz) into memory, safely. Nothing in it is executed
// and nothing is written to disk: entries become an in-memory map of path → bytes, or the whole archive
// is refused with an error that names the entry and the rule it broke. Refused: paths that would escape
// the root (absolute, `..`, drive letters, NUL), links and device entries, duplicate paths, more than the
// file-count or size limits, and compression bombs (an expansion ratio or an inflated size beyond the
// limits, checked while inflating, so a bomb is stopped before it fills memory).
// Zip is read with yauzl (which checks each entry's real size against its header), tar with tar-stream.
import { Readable } from "node:stream";
import { promisify } from "node:util";
import zlib from "node:zlib";
import tarStream from "tar-stream";
import yauzl from "yauzl";
import { DomainError } from "@/lib/core/domain-error";

/** The limits every upload is held to (bytes and counts). */
export interface ArchiveLimits {
  /** The archive file itself. */
  maxArchiveBytes: number;
  /** All files together, unpacked. */
  maxTotalBytes: number;
  /** One file, unpacked. */
  maxFileBytes: number;
  maxFiles: number;
  /** Unpacked size over packed size, beyond which an archive (or a zip entry) larger than 1 MiB is a bomb. */
  maxRatio: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxArchiveBytes: 20 * MiB,
  maxTotalBytes: 100 * MiB,
  maxFileBytes: 10 * MiB,
  maxFiles: 10_000,
  maxRatio: 100,
};

export type ArchiveErrorCode = "invalid_archive";

/** A refused archive: 422 with a message naming the entry and what is wrong with it. */
export class ArchiveError extends DomainError<ArchiveErrorCode> {
  static override readonly kind = "ArchiveError";

  constructor(message: string) {
    super("invalid_archive", message);
  }

  get status(): number {
    return 422;
  }
}

export interface UnpackedArchive {
  format: "zip" | "tar.gz";
  /** Path (relative, `/`-separated, with a single top-level folder removed) → contents. */
  files: Map<string, Buffer>;
  totalBytes: number;
}

const mib = (n: number) => `${Math.round((n / MiB) * 10) / 10} MiB`;

/**
 * The entry's path made safe, or an ArchiveError: backslashes are read as separators, `./` segments
 * dropped, and anything that could land outside the extension's root is refused.
 */
export function safeEntryPath(raw: string): string {
  const shown = JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}…` : raw);
  if (raw.includes("\0")) throw new ArchiveError(`The archive entry ${shown} has a NUL character in its name.`);
  const normalized = raw.replace(/\\/g, "/");
  if (normalized.startsWith("/") || /^[A-Za-z]:/.test(normalized)) {
    throw new ArchiveError(`The archive entry ${shown} has an absolute path; entries must be relative to the extension's root.`);
  }
  const parts = normalized.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === ".."))
    throw new ArchiveError(`The archive entry ${shown} points outside the extension's root (".." in its path).`);
  if (parts.length === 0) throw new ArchiveError(`The archive has an entry with an empty name.`);
  return parts.join("/");
}

function detectFormat(bytes: Buffer): "zip" | "tar.gz" {
  if (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  )
    return "zip";
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return "tar.gz";
  throw new ArchiveError("The file is not a .zip or .tar.gz archive.");
}

class Collector {
  readonly files = new Map<string, Buffer>();
  totalBytes = 0;

  constructor(private readonly limits: ArchiveLimits) {}

  /** Checks an entry's name and declared size before any of it is read. */
  admit(rawName: string, declaredSize: number): string {
    const path = safeEntryPath(rawName);
    if (this.files.has(path)) throw new ArchiveError(`The archive has two entries for ${path}.`);
    if (this.files.size + 1 > this.limits.maxFiles) throw new ArchiveError(`The archive has more than ${this.limits.maxFiles} files.`);
    this.checkSize(path, declaredSize);
    return path;
  }

  checkSize(path: string, size: number): void {
    if (size > this.limits.maxFileBytes) throw new ArchiveError(`${path} is larger than ${mib(this.limits.maxFileBytes)} unpacked.`);
    if (this.totalBytes + size > this.limits.maxTotalBytes)
      throw new ArchiveError(`The archive is larger than ${mib(this.limits.maxTotalBytes)} unpacked.`);
  }

  add(path: string, data: Buffer): void {
    this.checkSize(path, data.length);
    this.totalBytes += data.length;
    this.files.set(path, data);
  }
}

/** Reads a stream into one buffer, refusing it as soon as it passes `max` bytes. */
async function readBounded(
  stream: AsyncIterable<unknown> & { destroy(): void },
  max: number,
  tooLarge: () => ArchiveError,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > max) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, length);
}

async function unpackZip(bytes: Buffer, limits: ArchiveLimits, out: Collector): Promise<void> {
  const fromBuffer = promisify(yauzl.fromBuffer) as (buffer: Buffer, options: yauzl.Options) => Promise<yauzl.ZipFile>;
  let zip: yauzl.ZipFile;
  try {
    // Names are decoded and checked here (safeEntryPath) for messages that say what is wrong.
    zip = await fromBuffer(bytes, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new ArchiveError(`The .zip archive cannot be read: ${(error as Error).message}.`);
  }
  if (zip.entryCount > limits.maxFiles * 2) throw new ArchiveError(`The archive has more than ${limits.maxFiles} files.`);
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
        zip.once("entry", resolve);
        zip.once("end", () => resolve(null));
        zip.once("error", reject);
        zip.readEntry();
      }).finally(() => zip.removeAllListeners("entry").removeAllListeners("end").removeAllListeners("error"));
      if (!entry) break;
      const rawName = decodeZipName(entry);
      const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
      if (mode === 0o120000)
        throw new ArchiveError(`The archive entry ${JSON.stringify(rawName)} is a symbolic link; links are not accepted.`);
      if (rawName.endsWith("/") || mode === 0o040000) {
        safeEntryPath(rawName);
        continue;
      }
      if (mode !== 0 && mode !== 0o100000) throw new ArchiveError(`The archive entry ${JSON.stringify(rawName)} is not a regular file.`);
      const path = out.admit(rawName, entry.uncompressedSize);
      if (entry.uncompressedSize > MiB && entry.uncompressedSize > entry.compressedSize * limits.maxRatio) {
        throw new ArchiveError(
          `${path} expands ${Math.round(entry.uncompressedSize / Math.max(1, entry.compressedSize))} times; this looks like a compression bomb.`,
        );
      }
      const stream = await promisify(zip.openReadStream.bind(zip))(entry);
      const data = await readBounded(
        stream,
        Math.min(limits.maxFileBytes, entry.uncompressedSize),
        () => new ArchiveError(`${path} is larger unpacked than its header says.`),
      );
      out.add(path, data);
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`The .zip archive cannot be read: ${(error as Error).message}.`);
  } finally {
    zip.close();
  }
}

/** A zip name: UTF-8 when the entry says so (general purpose bit 11), else CP437, read as Latin-1. */
function decodeZipName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer | string;
  if (typeof raw === "string") return raw;
  return raw.toString((entry.generalPurposeBitFlag & 0x800) !== 0 ? "utf8" : "latin1");
}

async function unpackTarGz(bytes: Buffer, limits: ArchiveLimits, out: Collector): Promise<void> {
  // Tar adds a 512-byte header per file and pads to 512 bytes: allow for that over the content limit.
  const maxTar = limits.maxTotalBytes + limits.maxFiles * 1024 + MiB;
  let tar: Buffer;
  try {
    tar = await promisify(zlib.gunzip)(bytes, { maxOutputLength: maxTar });
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || error instanceof RangeError) {
      throw new ArchiveError(`The archive is larger than ${mib(limits.maxTotalBytes)} unpacked; this looks like a compression bomb.`);
    }
    throw new ArchiveError(`The .tar.gz archive cannot be read: ${(error as Error).message}.`);
  }
  if (tar.length > MiB && tar.length > bytes.length * limits.maxRatio) {
    throw new ArchiveError(`The archive expands ${Math.round(tar.length / bytes.length)} times; this looks like a compression bomb.`);
  }
  const extract = tarStream.extract();
  const done = (async () => {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type === "directory") {
        safeEntryPath(name);
        entry.resume();
        continue;
      }
      if (type === "symlink" || type === "link") {
        throw new ArchiveError(
          `The archive entry ${JSON.stringify(name)} is a ${type === "link" ? "hard" : "symbolic"} link; links are not accepted.`,
        );
      }
      if (type !== "file" && type !== "contiguous-file")
        throw new ArchiveError(`The archive entry ${JSON.stringify(name)} is not a regular file (${type}).`);
      const path = out.admit(name, size ?? 0);
      const data = await readBounded(
        entry,
        limits.maxFileBytes,
        () => new ArchiveError(`${path} is larger than ${mib(limits.maxFileBytes)} unpacked.`),
      );
      out.add(path, data);
    }
  })();
  Readable.from([tar]).pipe(extract);
  try {
    await done;
  } catch (error) {
    extract.destroy();
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`The .tar.gz archive cannot be read: ${(error as Error).message}.`);
  }
}

/** Files that mark a folder as an extension's root. */
const ROOT_MARKERS = [
  "manifest.yaml",
  "manifest.yml",
  "latchkey.yaml",
  "latchkey.yml",
  "package.json",
  "pyproject.toml",
  "setup.py",
  "requirements.txt",
  ".latchkeyignore",
];

/**
 * Removes the one folder every path starts with when it is the extension's root (it holds a manifest or
 * a package file), as a zipped folder or a GitHub download has: `my-ext/src/app.ts` → `src/app.ts`. An
 * archive of `src/` alone keeps its paths.
 */
function stripCommonFolder(files: Map<string, Buffer>): Map<string, Buffer> {
  const paths = [...files.keys()];
  const first = paths[0]?.split("/")[0];
  if (!first || !paths.every((p) => p.startsWith(`${first}/`))) return files;
  if (!ROOT_MARKERS.some((m) => files.has(`${first}/${m}`))) return files;
  return new Map([...files].map(([p, data]) => [p.slice(first.length + 1), data]));
}

/**
 * Unpacks a .zip or .tar.gz (told apart by their first bytes) into memory, or throws ArchiveError.
 * @param bytes the uploaded file
 * @param limits DEFAULT_ARCHIVE_LIMITS unless a test or caller narrows them
 */
export async function unpackArchive(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<UnpackedArchive> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length === 0) throw new ArchiveError("The archive is empty.");
  if (buffer.length > limits.maxArchiveBytes) throw new ArchiveError(`The archive is larger than ${mib(limits.maxArchiveBytes)}.`);
  const format = detectFormat(buffer);
  const out = new Collector(limits);
  if (format === "zip") await unpackZip(buffer, limits, out);
  else await unpackTarGz(buffer, limits, out);
  if (out.files.size === 0) throw new ArchiveError("The archive holds no files.");
  return { format, files: stripCommonFolder(out.files), totalBytes: out.totalBytes };
}
