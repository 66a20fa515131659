import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { spotifyManifest, zoomManifest } from "@/lib/demo/manifests";
import { declaredSecrets, humanizeName, parseSecretRef } from "./declarations";

describe("declaredSecrets", () => {
  it("lists partner credentials and store_as targets of the Zoom example", () => {
    const declared = declaredSecrets(YAML.parse(zoomManifest));
    expect(declared.map((d) => [d.ref, d.required, d.writeMode, d.masked])).toEqual([
      ["ext.zoom_client_id", true, "user", true],
      ["ext.zoom_client_secret", true, "user", true],
      ["org.zoom_access_token", false, "extension", true],
    ]);
    expect(declared[0]?.label).toBe("Zoom OAuth Client ID");
  });

  it("lists user and org secrets of the Spotify example with their limits", () => {
    const declared = declaredSecrets(YAML.parse(spotifyManifest));
    const key = declared.find((d) => d.ref === "user.spotify_api_key");
    expect(key).toMatchObject({ required: true, writeMode: "user", maxBytes: 200, rotationHintDays: 90 });
    expect(declared.find((d) => d.ref === "user.spotify_refresh_token")?.writeMode).toBe("extension");
    expect(declared.find((d) => d.ref === "org.stripe_webhook_signing_secret")?.scope).toBe("org");
  });

  it("labels user and org secrets from their names, as people read them", () => {
    const declared = declaredSecrets(YAML.parse(spotifyManifest));
    expect(declared.map((d) => [d.ref, d.label])).toEqual([
      ["user.spotify_api_key", "Spotify API key"],
      ["user.spotify_refresh_token", "Spotify refresh token"],
      ["org.stripe_webhook_signing_secret", "Stripe webhook signing secret"],
    ]);
    expect(humanizeName("weather_user_key")).toBe("Weather user key");
    expect(humanizeName("oauth_client_id")).toBe("OAuth client ID");
    expect(humanizeName("x")).toBe("X");
  });

  it("parses references", () => {
    expect(parseSecretRef("user.spotify_api_key")).toEqual({ scope: "user", name: "spotify_api_key" });
    expect(parseSecretRef("team.x")).toBeNull();
    expect(parseSecretRef("user.Bad")).toBeNull();
  });
});
