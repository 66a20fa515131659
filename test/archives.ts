// Builds source archives for tests (unit, data layer and e2e): .tar.gz with tar-stream, and .zip with a
// small writer of our own (stored or deflated entries, CRC-32 from node:zlib) so tests can also write the
// entries a well-behaved tool never would: `../` paths, absolute paths, links, lying sizes.
import zlib from "node:zlib";
import tarStream from "tar-stream";

export interface TestEntry {
  name: string;
  /** File contents; ignored for links and directories. */
  content?: string | Buffer;
  type?: "file" | "directory" | "symlink" | "link";
  /** Link target. */
  linkname?: string;
}

/** A gzip-compressed tar of the entries, in order. */
export async function makeTarGz(entries: TestEntry[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const collected = new Promise<Buffer>((resolve, reject) => {
    pack.on("data", (c: unknown) => void chunks.push(c as Buffer));
    pack.on("end", () => resolve(Buffer.concat(chunks)));
    pack.on("error", reject);
  });
  for (const e of entries) {
    const type = e.type ?? "file";
    if (type === "file")
      pack.entry({ name: e.name, mode: 0o644 }, typeof e.content === "string" ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0)));
    else pack.entry({ name: e.name, type, linkname: e.linkname, mode: type === "directory" ? 0o755 : 0o777 });
  }
  pack.finalize();
  return zlib.gzipSync(await collected);
}

/** A .zip of the entries; `deflate` compresses file contents (needed for bomb tests). */
export function makeZip(entries: TestEntry[], options: { deflate?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const type = e.type ?? "file";
    const name = Buffer.from(type === "directory" && !e.name.endsWith("/") ? `${e.name}/` : e.name, "utf8");
    const raw =
      type === "symlink"
        ? Buffer.from(e.linkname ?? "")
        : typeof e.content === "string"
          ? Buffer.from(e.content)
          : (e.content ?? Buffer.alloc(0));
    const deflate = options.deflate === true && type === "file";
    const data = deflate ? zlib.deflateRawSync(raw) : raw;
    const crc = zlib.crc32(raw);
    const mode = type === "symlink" ? 0o120777 : type === "directory" ? 0o040755 : 0o100644;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}
