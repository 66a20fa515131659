import { describe, expect, it } from "vitest";
import { formatAbsoluteTime, formatRelativeTime } from "./format-time";

const now = new Date("2026-11-30T19:47:10.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

describe("formatRelativeTime", () => {
  it("says how long ago in the reader's words", () => {
    expect(formatRelativeTime(ago(10_000), now, "en-US")).toBe("now");
    expect(formatRelativeTime(ago(3 * 60_000), now, "en-US")).toBe("3 minutes ago");
    expect(formatRelativeTime(ago(2 * 3_600_000), now, "en-US")).toBe("2 hours ago");
    expect(formatRelativeTime(ago(24 * 3_600_000), now, "en-US")).toBe("yesterday");
    expect(formatRelativeTime(ago(40 * 86_400_000), now, "en-US")).toBe("last month");
    expect(formatRelativeTime(new Date(now.getTime() + 5 * 60_000), now, "en-US")).toBe("in 5 minutes");
  });

  it("follows the locale", () => {
    expect(formatRelativeTime(ago(3 * 60_000), now, "de-DE")).toBe("vor 3 Minuten");
    expect(formatRelativeTime(ago(24 * 3_600_000), now, "fr-FR")).toBe("hier");
  });
});

describe("formatAbsoluteTime", () => {
  it("names the zone, in the reader's locale and zone", () => {
    expect(formatAbsoluteTime(now, "en-US", "UTC")).toBe("Nov 30, 2026, 7:47:10 PM UTC");
    expect(formatAbsoluteTime(now, "en-GB", "Europe/London")).toBe("30 Nov 2026, 19:47:10 GMT");
    expect(formatAbsoluteTime(now, "de-DE", "Europe/Berlin")).toMatch(/^30\.11\.2026, 20:47:10 (MEZ|GMT\+1)$/);
  });
});
