import { describe, expect, it } from "vitest";
import { z } from "zod";
import { escapeText, findTextProblem, text, textProblemMessage } from "@/lib/core/text";

describe("text(): a field PostgreSQL can store", () => {
  const name = text({ label: "Name", max: 80, min: 1, trim: true });

  it("refuses a NUL character with a message naming the field", () => {
    const result = name.safeParse("a\u0000b");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(["Name contains a NUL character (U+0000), which cannot be stored."]);
  });

  it("reports the issue at the field's own path inside an object", () => {
    const schema = z.object({ publisherId: z.string(), name });
    const result = schema.safeParse({ publisherId: "p", name: "laptop\u0000" });
    expect(result.error?.issues[0]).toMatchObject({
      path: ["name"],
      message: "Name contains a NUL character (U+0000), which cannot be stored.",
    });
  });

  it("refuses unpaired surrogates, which jsonb refuses, and keeps a real pair (an emoji)", () => {
    expect(name.safeParse("x\ud800").error?.issues[0]?.message).toBe(
      "Name contains an unpaired surrogate (U+D800), which is not valid Unicode text and cannot be stored.",
    );
    expect(name.safeParse("\udc00x").success).toBe(false);
    expect(name.safeParse("CI 🚀").data).toBe("CI 🚀");
  });

  it("refuses control characters in single-line text and keeps tab and line breaks in multi-line text", () => {
    expect(name.safeParse("red\u001b[31m").error?.issues[0]?.message).toBe(
      "Name contains a control character (U+001B), which is not allowed here.",
    );
    expect(name.safeParse("a\tb").success).toBe(false);
    const notes = text({ label: "Notes", max: 100, multiline: true });
    expect(notes.safeParse("line 1\r\nline\t2\n").success).toBe(true);
    expect(notes.safeParse("line\u0000").success).toBe(false);
    expect(notes.safeParse("bell\u0007").success).toBe(false);
  });

  it("keeps the length bounds, trimmed, and ordinary Unicode text", () => {
    expect(name.safeParse("  laptop  ").data).toBe("laptop");
    expect(name.safeParse("   ").error?.issues[0]?.message).toBe("Name must not be empty.");
    expect(name.safeParse("x".repeat(81)).error?.issues[0]?.message).toBe("Name must be at most 80 characters.");
    expect(name.safeParse("Zürich — 東京").success).toBe(true);
    expect(name.safeParse(42).error?.issues[0]?.message).toBe("Name must be text.");
  });

  it("chains like any zod string", () => {
    const actor = text({ label: "actor", max: 200 }).optional();
    expect(actor.safeParse(undefined).success).toBe(true);
    expect(actor.safeParse("\u0000").success).toBe(false);
  });
});

describe("the character check behind it", () => {
  it("names the first problem and where it is", () => {
    expect(findTextProblem("ok")).toBeNull();
    expect(findTextProblem("ab\u0000\u0001")).toEqual({ kind: "nul", index: 2, codePoint: 0 });
    expect(findTextProblem("a\u0085")).toEqual({ kind: "control", index: 1, codePoint: 0x85 });
    expect(findTextProblem("a\u007f")).toEqual({ kind: "control", index: 1, codePoint: 0x7f });
    expect(findTextProblem("a\u0000\nb\u0000", { multiline: true }, 2)).toEqual({ kind: "nul", index: 4, codePoint: 0 });
    expect(findTextProblem("😀\u0001", {}, 1)).toMatchObject({ kind: "surrogate", index: 1 });
    expect(textProblemMessage("actor", decodeURIComponent("%00"))).toBe("actor contains a NUL character (U+0000), which cannot be stored.");
  });

  it("escapes what it refuses when a message has to quote the input", () => {
    expect(escapeText("a\u0000b\u001b\ud800c😀\n")).toBe("a\\u0000b\\u001b\\ud800c😀\\u000a");
    expect(findTextProblem(escapeText("\u0000\udfff"))).toBeNull();
  });
});
