// Paths whose percent-encoding does not decode (issue 12, item 4): found before Next's route matcher
// throws on them, and answered with a 400 in the API's error shape.
import { describe, expect, it } from "vitest";
import { isApiPath, malformedPathResponse, malformedPathSegment } from "@/lib/core/path-encoding";

describe("malformedPathSegment", () => {
  it.each([
    ["/api/v1/secrets/%ff", "%ff"],
    ["/panel/extensions/%ff/setup", "%ff"],
    ["/api/oauth/%ff/authorize", "%ff"],
    ["/api/v1/secrets/%", "%"],
    ["/api/v1/secrets/%zz", "%zz"],
    ["/api/v1/secrets/abc%e2%82", "abc%e2%82"],
    ["/publisher/extensions/%c0%af", "%c0%af"],
  ])("finds the bad segment of %s", (path, segment) => {
    expect(malformedPathSegment(path)).toBe(segment);
  });

  it.each([
    "/",
    "/api/v1/secrets/user.api_key",
    "/panel/extensions/0f6c1f0e-8a55-4b43-9d3c-1b7b2b8f7a10/setup",
    "/api/v1/secrets/%E2%82%AC",
    "/a%20b",
    "/%25ff",
  ])("accepts %s", (path) => {
    expect(malformedPathSegment(path)).toBeNull();
  });
});

describe("isApiPath", () => {
  it("tells route handlers from pages", () => {
    expect(isApiPath("/api/v1/secrets/x")).toBe(true);
    expect(isApiPath("/api/oauth/p/authorize")).toBe(true);
    expect(isApiPath("/.well-known/jwks.json")).toBe(true);
    expect(isApiPath("/panel/extensions/x/setup")).toBe(false);
    expect(isApiPath("/apiary")).toBe(false);
  });
});

describe("malformedPathResponse", () => {
  it("is a 400 invalid_request naming the segment, with the request id", async () => {
    const response = malformedPathResponse("%ff", "req-12345678");
    expect(response.status).toBe(400);
    expect(response.headers.get("x-request-id")).toBe("req-12345678");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({
      error: {
        code: "invalid_request",
        message: 'The request path is not valid: "%ff" is not percent-encoded UTF-8. Encode each path segment with encodeURIComponent.',
        request_id: "req-12345678",
      },
    });
  });
});
