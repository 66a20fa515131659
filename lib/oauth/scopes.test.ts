// Scope strings as providers answer them (issue 13, kind 2): GitHub's commas, Microsoft's
// resource-qualified and lower-cased Graph scopes, Google's URL aliases, GitHub's including scopes, and a
// refresh answer that covers one resource merged into the grant. Over the catalogue's own entries.
import { describe, expect, it } from "vitest";
import { catalogue } from "./catalogue";
import type { ProviderConfig } from "./provider-config";
import {
  answeredScopes,
  grantAfterRefresh,
  grantFromAnswer,
  missingScopes,
  MixedResourcesError,
  requestedResource,
  splitScopes,
  unionScopes,
} from "./scopes";

const entry = (id: string): ProviderConfig => {
  const found = catalogue.get(id);
  if (!found) throw new Error(id);
  return found;
};
const github = entry("github");
const microsoft = entry("microsoft");
const google = entry("google");
const plain: ProviderConfig = { id: "plain", displayName: "Plain", source: "discovery", defaultScopes: [], quirks: {} };
const API = "api://2d4d11a2-f814-46a7-890a-274a72a7309e";

describe("GitHub answers scopes comma-separated", () => {
  it('"repo,user:email" is the two scopes ["repo", "user:email"], so repo is not asked for again', () => {
    expect(answeredScopes(github, "repo,user:email")).toEqual(["repo", "user:email"]);
    const grant = grantFromAnswer(github, answeredScopes(github, "repo,user:email"), ["repo", "user:email"]);
    expect(grant).toEqual(["repo", "user:email"]);
    expect(missingScopes(github, grant, ["repo"])).toEqual([]);
  });

  it("a scope that includes others covers them, transitively (GitHub's documented scope hierarchy)", () => {
    expect(missingScopes(github, ["user"], ["user:email", "read:user"])).toEqual([]);
    expect(missingScopes(github, ["admin:org"], ["read:org"])).toEqual([]);
    expect(missingScopes(github, ["user:email"], ["user"])).toEqual(["user"]);
  });

  it("a provider without a declared separator keeps a comma inside a scope (RFC 6749 §3.3 allows it)", () => {
    expect(answeredScopes(plain, "a,b c")).toEqual(["a,b", "c"]);
    expect(splitScopes("a, b", ",")).toEqual(["a", "b"]);
  });
});

describe("Microsoft answers resource-qualified scopes", () => {
  const requested = ["openid", "email", "offline_access", "Mail.Read", `${API}/read`];
  const answer = ["https://graph.microsoft.com/mail.read", "openid", "profile", "email"];

  it("https://graph.microsoft.com/Mail.Read is Mail.Read, in any case", () => {
    expect(missingScopes(microsoft, ["Mail.Read"], ["https://graph.microsoft.com/Mail.Read", "mail.read"])).toEqual([]);
    expect(unionScopes(microsoft, ["Mail.Read"], ["https://graph.microsoft.com/Mail.Read"])).toEqual(["Mail.Read"]);
  });

  it("a code exchange answered for Graph is a grant covering Graph, the other API consented to, and the OIDC scopes", () => {
    const grant = grantFromAnswer(microsoft, answer, requested);
    expect(grant).toEqual(["Mail.Read", "openid", "profile", "email", "offline_access", `${API}/read`]);
    expect(missingScopes(microsoft, grant, requested)).toEqual([]);
  });

  it("a refresh answer covering one resource is merged into the grant, never replacing it", () => {
    const grant = grantFromAnswer(microsoft, answer, requested);
    expect(grantAfterRefresh(microsoft, grant, ["https://graph.microsoft.com/mail.read"])).toEqual(grant);
    expect(grantAfterRefresh(microsoft, grant, [`${API}/read`])).toEqual(grant);
    expect(grantAfterRefresh(microsoft, grant, null)).toEqual(grant);
  });

  it("a token request names one resource; two are refused with both named", () => {
    expect(requestedResource(microsoft, ["Mail.Read", "offline_access"])).toBe("https://graph.microsoft.com");
    expect(requestedResource(microsoft, [`${API}/read`])).toBe(API);
    expect(requestedResource(microsoft, ["openid"])).toBeNull();
    expect(() => requestedResource(microsoft, ["Mail.Read", `${API}/read`])).toThrow(MixedResourcesError);
    expect(requestedResource(github, ["repo", "user"])).toBeNull();
  });
});

describe("documented aliases", () => {
  it("Google's userinfo.email URL is the email scope asked for", () => {
    const grant = grantFromAnswer(google, answeredScopes(google, "openid https://www.googleapis.com/auth/userinfo.email"), [
      "openid",
      "email",
    ]);
    expect(grant).toEqual(["openid", "email"]);
    expect(missingScopes(google, grant, ["email", "openid"])).toEqual([]);
  });
});
