import { describe, expect, it } from "vitest";
import { ArchiveError, DEFAULT_ARCHIVE_LIMITS, safeEntryPath, unpackArchive } from "./archive";
import { makeTarGz, makeZip } from "@/test/archives";

const text = (files: Map<string, Buffer>) => Object.fromEntries([...files].map(([p, b]) => [p, b.toString("utf8")]));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).status).toBe(422);
  return (error as ArchiveError).message;
}

describe("unpackArchive", () => {
  it("unpacks a .tar.gz into memory and drops the single top-level folder", async () => {
    const archive = await makeTarGz([
      { name: "spotify/", type: "directory" },
      { name: "spotify/src/app.ts", content: "export const a = 1;\n" },
      { name: "spotify/./manifest.yaml", content: "id: x\n" },
    ]);
    const result = await unpackArchive(archive);
    expect(result.format).toBe("tar.gz");
    expect(text(result.files)).toEqual({ "src/app.ts": "export const a = 1;\n", "manifest.yaml": "id: x\n" });
    // An archive of one source folder keeps its paths.
    expect([...(await unpackArchive(await makeTarGz([{ name: "src/app.ts", content: "1" }]))).files.keys()]).toEqual(["src/app.ts"]);
  });

  it("drops the top-level folder whatever the entry order", async () => {
    const archive = await makeTarGz([
      { name: "spotify/manifest.yaml", content: "id: x\n" },
      { name: "spotify/src/app.ts", content: "export const a = 1;\n" },
    ]);
    const result = await unpackArchive(archive);
    expect(result.format).toBe("tar.gz");
    expect(text(result.files)).toEqual({ "src/app.ts": "export const a = 1;\n", "manifest.yaml": "id: x\n" });
  });

  it("unpacks a .zip (stored and deflated), keeping paths when there is no common folder", async () => {
    for (const deflate of [false, true]) {
      const archive = makeZip(
        [
          { name: "src/", type: "directory" },
          { name: "src/app.py", content: "import os\n" },
          { name: "README.md", content: "# x" },
        ],
        { deflate },
      );
      const result = await unpackArchive(archive);
      expect(result.format).toBe("zip");
      expect(text(result.files)).toEqual({ "src/app.py": "import os\n", "README.md": "# x" });
    }
  });

  it.each([
    ["tar.gz", "../evil.js", /points outside the extension's root/],
    ["tar.gz", "src/../../evil.js", /points outside the extension's root/],
    ["tar.gz", "/etc/passwd", /absolute path/],
    ["zip", "../../home/user/.bashrc", /points outside the extension's root/],
    ["zip", "C:\\Windows\\evil.dll", /absolute path/],
    ["zip", "src\\..\\..\\evil.js", /points outside the extension's root/],
  ])("refuses a %s entry named %s", async (format, name, message) => {
    const entries = [
      { name: "src/app.ts", content: "ok" },
      { name, content: "x" },
    ];
    const archive = format === "zip" ? makeZip(entries) : await makeTarGz(entries);
    expect(await refusal(unpackArchive(archive))).toMatch(message);
  });

  it("refuses symbolic and hard links, in both formats", async () => {
    expect(await refusal(unpackArchive(await makeTarGz([{ name: "secrets", type: "symlink", linkname: "/etc/shadow" }])))).toBe(
      'The archive entry "secrets" is a symbolic link; links are not accepted.',
    );
    expect(
      await refusal(
        unpackArchive(
          await makeTarGz([
            { name: "a.txt", content: "a" },
            { name: "b.txt", type: "link", linkname: "a.txt" },
          ]),
        ),
      ),
    ).toMatch(/"b.txt" is a hard link/);
    expect(await refusal(unpackArchive(makeZip([{ name: "secrets", type: "symlink", linkname: "/etc/shadow" }])))).toMatch(
      /"secrets" is a symbolic link/,
    );
  });

  it("refuses more files than the limit, and a file or a total over the size limits", async () => {
    const limits = { ...DEFAULT_ARCHIVE_LIMITS, maxFiles: 3, maxFileBytes: 100, maxTotalBytes: 250 };
    const many = await makeTarGz(["a", "b", "c", "d"].map((n) => ({ name: `${n}.js`, content: "x" })));
    expect(await refusal(unpackArchive(many, limits))).toBe("The archive has more than 3 files.");
    const big = makeZip([{ name: "big.js", content: "x".repeat(101) }]);
    expect(await refusal(unpackArchive(big, limits))).toMatch(/^big.js is larger than/);
    const total = await makeTarGz(["a", "b", "c"].map((n) => ({ name: `${n}.js`, content: "x".repeat(90) })));
    expect(await refusal(unpackArchive(total, limits))).toMatch(/^The archive is larger than .* unpacked\.$/);
  });

  it("refuses compression bombs: a gzip that inflates past the limit, a zip entry with a huge ratio", async () => {
    const zeros = Buffer.alloc(30 * 1024 * 1024);
    const tarBomb = await makeTarGz([{ name: "zeros.bin", content: zeros }]);
    expect(tarBomb.length).toBeLessThan(100 * 1024);
    expect(await refusal(unpackArchive(tarBomb, { ...DEFAULT_ARCHIVE_LIMITS, maxTotalBytes: 5 * 1024 * 1024 }))).toMatch(
      /compression bomb/,
    );
    expect(await refusal(unpackArchive(tarBomb))).toMatch(/expands \d+ times; this looks like a compression bomb/);
    const zipBomb = makeZip([{ name: "zeros.txt", content: Buffer.alloc(5 * 1024 * 1024) }], { deflate: true });
    expect(await refusal(unpackArchive(zipBomb))).toMatch(/^zeros.txt expands \d+ times; this looks like a compression bomb\.$/);
  });

  it("refuses what is not an archive, an empty file, duplicates and an archive over the size limit", async () => {
    expect(await refusal(unpackArchive(Buffer.from("console.log(1)")))).toBe("The file is not a .zip or .tar.gz archive.");
    expect(await refusal(unpackArchive(new Uint8Array()))).toBe("The archive is empty.");
    expect(
      await refusal(
        unpackArchive(
          await makeTarGz([
            { name: "a.js", content: "1" },
            { name: "./a.js", content: "2" },
          ]),
        ),
      ),
    ).toBe("The archive has two entries for a.js.");
    expect(await refusal(unpackArchive(Buffer.alloc(2048, 0x1f), { ...DEFAULT_ARCHIVE_LIMITS, maxArchiveBytes: 1024 }))).toMatch(
      /^The archive is larger than/,
    );
    expect(await refusal(unpackArchive(Buffer.from([0x1f, 0x8b, 1, 2, 3])))).toMatch(/^The .tar.gz archive cannot be read/);
  });

  it("safeEntryPath normalises separators and refuses NUL", () => {
    expect(safeEntryPath("./src//lib\\x.ts")).toBe("src/lib/x.ts");
    expect(() => safeEntryPath("a\0b")).toThrow(/NUL character/);
  });
});
