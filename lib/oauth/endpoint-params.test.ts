// Per-tenant endpoints (Shopify's {shop}.myshopify.com, Zendesk's {subdomain}.zendesk.com): a setup field
// names the secret holding each parameter (`obtain.endpoint_params`), the manifest check refuses one that is
// not declared, and the value fills the catalogue's endpoints only when it is a plain host label, so a
// value such as `evil.example/x` can never send a token request (with the client secret) anywhere else.
import { describe, expect, it } from "vitest";
import { formatManifestError, parseManifest } from "@/lib/manifest";
import { catalogue } from "@/lib/oauth/catalogue";
import { OAuthError } from "./errors";
import { withEndpointParams } from "./provider-config";

const shopify = catalogue.get("shopify");
const zendesk = catalogue.get("zendesk");

const refusal = (run: () => unknown) => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof OAuthError ? { code: error.code, message: error.message } : error;
  }
};

describe("filling a per-tenant provider's endpoints", () => {
  it("builds every Shopify endpoint on the shop's own host", () => {
    if (!shopify) throw new Error("shopify");
    expect(withEndpointParams(shopify, { shop: "acme-store" }).endpoints).toEqual({
      authorize: "https://acme-store.myshopify.com/admin/oauth/authorize",
      token: "https://acme-store.myshopify.com/admin/oauth/access_token",
      revoke: "https://acme-store.myshopify.com/admin/api_permissions/current.json",
      userinfo: "https://acme-store.myshopify.com/admin/api/2025-07/shop.json",
    });
  });

  it("refuses a value that is not a host label, naming what was expected", () => {
    if (!zendesk) throw new Error("zendesk");
    for (const value of ["evil.example/x#", "acme.zendesk.com", "Acme", "-acme", "a b"]) {
      expect(refusal(() => withEndpointParams(zendesk, { subdomain: value }))).toEqual({
        code: "endpoint_param_invalid",
        message: `"${value}" is not the Zendesk account's subdomain (e.g. acme); Zendesk's endpoints cannot be built from it.`,
      });
    }
  });

  it("refuses to connect before the value is set", () => {
    if (!shopify) throw new Error("shopify");
    expect(refusal(() => withEndpointParams(shopify, { shop: null }))).toMatchObject({
      code: "endpoint_param_missing",
      message: expect.stringContaining("Shopify needs the shop's myshopify.com subdomain (e.g. acme-store)"),
    });
  });

  it("leaves a provider without parameters as it is", () => {
    const github = catalogue.get("github");
    if (!github) throw new Error("github");
    expect(withEndpointParams(github, {})).toBe(github);
  });
});

describe("obtain.endpoint_params in a manifest", () => {
  const manifest = (ref: string) => `model_version: "1.0"
extension:
  id: dev.example.shop-sync
  name: Shop Sync
  version: 1.0.0
credentials:
  ext:
    - key: shopify_client_id
      label: Shopify client id
      type: oauth_client_id
    - key: shopify_client_secret
      label: Shopify client secret
      type: oauth_client_secret
secrets:
  - name: shopify_shop
    scope: org
    description: Your shop's myshopify.com subdomain, e.g. acme-store.
setup:
  - secrets:
      fields:
        - key: shop
          label: Connect your shop
          obtain:
            type: oauth2
            provider: shopify
            client_id: ext.shopify_client_id
            client_secret: ext.shopify_client_secret
            store_as: org.shopify_token
            endpoint_params:
              shop: ${ref}
`;

  it("accepts a declared secret", () => {
    const result = parseManifest(manifest("org.shopify_shop"));
    expect(result.ok ? [] : result.errors.map(formatManifestError)).toEqual([]);
  });

  it("refuses an undeclared one, at its line", () => {
    const result = parseManifest(manifest("org.shopify_store"));
    expect(result.ok ? [] : result.errors.map(formatManifestError)).toEqual([
      "setup[0].secrets.fields[0].obtain.endpoint_params.shop (line 30:21): org.shopify_store is not declared under secrets",
    ]);
  });

  it("refuses what is not a secret reference", () => {
    const result = parseManifest(manifest("acme-store"));
    expect(result.ok ? [] : result.errors.map(formatManifestError)).toEqual([
      "setup[0].secrets.fields[0].obtain.endpoint_params.shop (line 30:21): must reference a secret as ext.<key>, org.<name> or user.<name>",
    ]);
  });
});
