import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoManifests } from "@/lib/demo/manifests";
import { declaredSecrets } from "./declarations";
import { formatManifestError, parseManifest, type ManifestError } from "./index";

const fixtures = path.join(import.meta.dirname, "fixtures");
const read = (name: string) => fs.readFileSync(path.join(fixtures, name), "utf8");
const messages = (errors: ManifestError[]) => errors.map(formatManifestError);

describe("the spec's examples", () => {
  it.each(["zoom-partner-credentials.yaml", "zoom-nested.yaml", "spotify-secrets.yaml", "oauth-provider.yaml", "oauth-consumer.yaml"])(
    "%s parses",
    (name) => {
      const result = parseManifest(read(name));
      if (!result.ok) throw new Error(messages(result.errors).join("\n"));
      expect(result.manifest.model_version).toBe("1.0");
    },
  );

  it("reads the Zoom example the same whether its blocks sit at the top level or under extension:", () => {
    const top = parseManifest(read("zoom-partner-credentials.yaml"));
    const nested = parseManifest(read("zoom-nested.yaml"));
    expect(top.ok && nested.ok).toBe(true);
    if (!top.ok || !nested.ok) return;
    expect(nested.manifest).toEqual(top.manifest);
    expect(declaredSecrets(top.manifest).map((d) => d.ref)).toEqual([
      "ext.zoom_client_id",
      "ext.zoom_client_secret",
      "org.zoom_access_token",
    ]);
    expect(top.manifest.credentials?.ext.map((c) => c.label)).toEqual(["Zoom OAuth Client ID", "Zoom OAuth Client Secret"]);
  });

  it("assumes a version for the provider and consumer examples, which name none, and says so", () => {
    const result = parseManifest(read("oauth-consumer.yaml"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.manifest.extension.version).toBe("1.0.0");
    expect(result.manifest.extension.requires?.oauth_provider.on_missing).toBe("prompt_connect");
    expect(messages(result.warnings ?? [])).toEqual(["extension (line 3:1): extension.version is missing; 1.0.0 is assumed"]);
  });

  it("parses every demo manifest without warnings", () => {
    for (const text of demoManifests()) {
      const result = parseManifest(text);
      expect(result.ok ? (result.warnings ?? []) : messages(result.errors)).toEqual([]);
    }
  });
});

describe("errors", () => {
  it("names the path and line:column of an undeclared ext.* reference, as the issue's example does", () => {
    const result = parseManifest(
      read("zoom-partner-credentials.yaml").replace("client_id: ext.zoom_client_id", "client_id: ext.zoom_client_idd"),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(messages(result.errors)).toEqual([
      "setup[0].secrets.fields[0].obtain.client_id (line 30:24): ext.zoom_client_idd is not declared under credentials.ext",
    ]);
    expect(result.errors[0]).toMatchObject({ path: "setup[0].secrets.fields[0].obtain.client_id", line: 30, column: 24 });
  });

  it("reports every problem at once, in line order", () => {
    const text = read("spotify-secrets.yaml")
      .replace("max_bytes: 200", "max_bytes: 0")
      .replace("write_mode: extension", "write_mode: admin")
      .replace("path: /callback", "path: callback");
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(["secrets[0].max_bytes", "secrets[1].write_mode", "webhooks[0].path"]);
    const lines = result.errors.map((e) => e.line);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it("warns about a misspelt field instead of silently ignoring it", () => {
    const result = parseManifest(
      read("zoom-partner-credentials.yaml").replace("      secret: true", "      secret: true\n      requird: false"),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(messages(result.warnings ?? [])).toEqual([
      "credentials.ext[1].requird (line 20:7): requird is not a known field and is ignored",
    ]);
    expect(JSON.stringify(result.manifest)).not.toContain("requird");
  });

  it("refuses what is not YAML text, and oversized input, without throwing", () => {
    for (const input of [undefined, null, 42, {}, ["a"]]) expect(parseManifest(input).ok).toBe(false);
    const huge = parseManifest(`model_version: "1.0"\n# ${"x".repeat(300 * 1024)}\n`);
    expect(huge.ok ? [] : messages(huge.errors)).toEqual(["The manifest is larger than 256 KiB."]);
  });

  it("refuses an alias bomb as a result, not an exception", () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(",")}]`,
      );
    const result = parseManifest(bomb.join("\n"));
    expect(result.ok).toBe(false);
  });
});

describe("text that cannot be stored", () => {
  const spotify = read("spotify-secrets.yaml");
  const description = "  description: Spotify integration — search, queue, manage your library.\n";
  const withDescription = (yaml: string) => spotify.replace(description, `  description: ${yaml}\n`);
  const refused = (text: string) => {
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    return result.ok ? [] : messages(result.errors);
  };

  it("refuses the issue's NUL in a description at its path and line:column", () => {
    expect(refused(withDescription('"a\\u0000b"'))).toEqual([
      "extension.description (line 8:16): contains a NUL character (U+0000), which cannot be stored",
    ]);
  });

  it("points at a NUL written as is, in a value or in a comment (the YAML text is stored too)", () => {
    expect(refused(spotify.replace("search, queue", "search,\u0000 queue"))).toEqual([
      "extension.description (line 8:45): contains a NUL character (U+0000), which cannot be stored",
    ]);
    expect(refused(spotify.replace("# declarations", "# decla\u0000rations"))).toEqual([
      "line 2:8: The manifest contains a NUL character (U+0000), which cannot be stored",
    ]);
  });

  it("refuses a NUL in a mapping key, naming the key escaped", () => {
    const errors = refused(spotify.replace("  name: Spotify\n", '  "na\\0me": Spotify\n  name: Spotify\n'));
    expect(errors).toEqual(["extension.na\\u0000me (line 6:3): the key contains a NUL character (U+0000), which cannot be stored"]);
  });

  it("refuses an unpaired surrogate, which jsonb refuses as well", () => {
    expect(refused(withDescription('"x\\ud800"'))).toEqual([
      "extension.description (line 8:16): contains an unpaired surrogate (U+D800), which is not valid Unicode text and cannot be stored",
    ]);
  });

  it("refuses other control characters, and keeps tab and line breaks in values", () => {
    expect(refused(withDescription('"\\e[2J\\e[31mCleared"'))).toEqual([
      "extension.description (line 8:16): contains a control character (U+001B), which is not allowed here",
    ]);
    const kept = parseManifest(withDescription('"Search\\tqueue\\nlibrary"'));
    expect(kept.ok && kept.manifest.extension.description).toBe("Search\tqueue\nlibrary");
  });

  it("reports a value full of control characters once, and at most 50 such errors for a file full of them", () => {
    expect(refused(withDescription(`"${"\\e".repeat(60_000)}"`))).toHaveLength(1);
    expect(refused(withDescription("\u001b".repeat(200_000)))).toHaveLength(1);
    const comments = Array.from({ length: 100 }, (_, i) => `# note ${i}\u0000`).join("\n");
    const errors = refused(`${comments}\n${spotify}`);
    expect(errors).toHaveLength(50);
    expect(errors[49]).toBe("line 50:10: The manifest contains a NUL character (U+0000), which cannot be stored");
  });

  it("reports only the cause when the character also breaks the field's pattern, with every other error", () => {
    const errors = refused(
      spotify.replace("id: dev.imperal.spotify", 'id: "dev.imperal.spotify\\0"').replace("write_mode: extension", "write_mode: admin"),
    );
    expect(errors).toEqual([
      "extension.id (line 5:7): contains a NUL character (U+0000), which cannot be stored",
      'secrets[1].write_mode (line 18:17): must be one of user, extension, both (found "admin")',
    ]);
  });
});

describe("the broken-manifest corpus", () => {
  const dir = path.join(fixtures, "broken");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"));

  it("holds at least 40 manifests", () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)("%s produces the error it names", (file) => {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const expected = text.match(/^# expect: (.+)$/m)?.[1];
    expect(expected, "each corpus file starts with '# expect: <error>'").toBeTruthy();
    const result = parseManifest(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(messages(result.errors)).toContain(expected);
    for (const error of result.errors) expect(error.line).toBeGreaterThan(0);
  });
});
