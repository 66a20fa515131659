import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifest } from "@/lib/manifest";
import { redirectUrisFor } from "./redirect-uris";

const fixture = (name: string) => {
  const result = parseManifest(fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures", name), "utf8"));
  if (!result.ok) throw new Error("fixture invalid");
  return result.manifest;
};

describe("redirectUrisFor", () => {
  it("gives the Zoom example one callback URL for the provider its OAuth step uses", () => {
    expect(redirectUrisFor(fixture("zoom-partner-credentials.yaml"), "https://latchkey.example/")).toEqual([
      { provider: "zoom", uri: "https://latchkey.example/api/oauth/zoom/callback" },
    ]);
  });

  it("gives none for an extension without partner OAuth credentials", () => {
    expect(redirectUrisFor(fixture("spotify-secrets.yaml"), "https://latchkey.example")).toEqual([]);
  });

  it("gives a provider extension the callback URL of its own provider_id", () => {
    expect(redirectUrisFor(fixture("oauth-provider.yaml"), "https://latchkey.example")).toEqual([
      { provider: "my-provider", uri: "https://latchkey.example/api/oauth/my-provider/callback" },
    ]);
  });
});
