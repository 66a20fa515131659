import fs from "node:fs";
import path from "node:path";
import { manifestDeclarations } from "@latchkey/scan";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { scanDeclarations } from "@/lib/extensions/upload-source";

const fixtures = path.join(import.meta.dirname, "../manifest/fixtures");

describe("the CLI's manifest reading agrees with the server's", () => {
  it("has fixtures that declare secrets in each way (credentials.ext, secrets[], store_as)", () => {
    const all = fs
      .readdirSync(fixtures)
      .filter((f) => f.endsWith(".yaml"))
      .flatMap((f) => manifestDeclarations(parse(fs.readFileSync(path.join(fixtures, f), "utf8"))));
    expect(new Set(all.map((d) => `${d.scope}:${d.writeMode}`))).toEqual(
      new Set(["ext:user", "user:user", "user:extension", "org:extension"]),
    );
  });

  it.each(fs.readdirSync(fixtures).filter((f) => f.endsWith(".yaml")))("%s", (file) => {
    const manifest = parse(fs.readFileSync(path.join(fixtures, file), "utf8")) as unknown;
    const key = (d: { scope: string; name: string; writeMode: string }) => `${d.scope}.${d.name}:${d.writeMode}`;
    const server = scanDeclarations(manifest).map(key).sort();
    expect(manifestDeclarations(manifest).map(key).sort()).toEqual(server);
  });
});
