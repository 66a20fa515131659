// The packed verification writes each entry from its context's and subject's precomputed parts
// (verify-dictionaries.ts); the text must be exactly entry.ts's entryText, or every event would be
// canonicalized in full (or, worse, a changed value could write the text of another).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entryText, isoStringOfTime } from "./entry";
import { contextText, entryTextOf, NEEDS_ESCAPE, subjectText } from "./verify-dictionaries";

/** Strings a plain dictionary row may hold: anything but controls, quotes and backslashes. */
const plainText = fc.string({ unit: "binary", maxLength: 24 }).filter((s) => !NEEDS_ESCAPE.test(s));
const nullable = fc.option(plainText, { nil: null });

describe("entry text from dictionary parts", () => {
  it("writes what entryText writes, for any plain values, nulls included", () => {
    fc.assert(
      fc.property(
        fc.record({
          action: plainText,
          target: plainText,
          extensionId: nullable,
          actorKind: plainText,
          actorId: plainText,
          orgId: nullable,
          sourceKind: plainText,
          sourceIp: nullable,
          sourceUserAgent: nullable,
          outcome: plainText,
          details: fc.constantFrom("{}", '{"byteLength":10}', '{"a":[1,"x",null]}'),
          id: fc.integer({ min: 1, max: 2 ** 53 - 1 }),
          time: fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }),
        }),
        (v) => {
          const occurredAt = isoStringOfTime(v.time);
          const subject = subjectText(v);
          const context = contextText(v);
          expect(entryTextOf(subject, context, v.details, v.id, occurredAt, v.outcome)).toBe(
            entryText(
              v.action,
              v.actorId,
              v.actorKind,
              v.details,
              v.extensionId,
              v.id,
              occurredAt,
              v.orgId,
              v.outcome,
              v.sourceIp,
              v.sourceKind,
              v.sourceUserAgent,
              v.target,
            ),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it("treats quotes, backslashes and control characters as needing an escape, and nothing else", () => {
    for (const s of ['a"b', "a\\b", "a\u0001b", "line\nbreak", "\u001f"]) expect(NEEDS_ESCAPE.test(s)).toBe(true);
    for (const s of ["ext-ünïcødé-🔑", "Mozilla/5.0 (X11; Linux x86_64)", "2001:db8::1", "'single'", "\u007f"])
      expect(NEEDS_ESCAPE.test(s)).toBe(false);
  });
});
