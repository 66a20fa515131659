import { describe, expect, it } from "vitest";
import { signErrorLink, verifyErrorLink } from "./error-link";

describe("the OAuth error page's signed link", () => {
  const link = {
    code: "access_denied",
    provider: "my-provider",
    message: "You did not grant access.",
    retry: "/api/oauth/my-provider/authorize?installation=x",
  };
  const secret = "s".repeat(40);

  it("accepts what was signed and refuses any change, or another secret", () => {
    const sig = signErrorLink(link, secret);
    expect(verifyErrorLink(link, sig, secret)).toBe(true);
    expect(verifyErrorLink({ ...link, message: "Your account is locked: call +1 555 0100." }, sig, secret)).toBe(false);
    expect(verifyErrorLink({ ...link, retry: "/api/oauth/evil/authorize" }, sig, secret)).toBe(false);
    expect(verifyErrorLink(link, sig, "t".repeat(40))).toBe(false);
    expect(verifyErrorLink(link, "", secret)).toBe(false);
  });
});
