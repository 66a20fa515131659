// Which text an entry point may hand to PostgreSQL, as one zod building block (`text`) for every input
// schema and the character check behind it (`findTextProblem`) for code that validates without zod, such
// as the manifest parser. PostgreSQL refuses U+0000 in text, text[] and jsonb ("invalid byte sequence for
// encoding UTF8: 0x00", "unsupported Unicode escape sequence") and an unpaired UTF-16 surrogate in jsonb
// (a text column silently turns it into U+FFFD); reaching a query, either was a 500 instead of a field
// error. Other control characters are storable, but no name, label or filter means them, and printed by
// the CLI they can rewrite a terminal's output, so text refuses them too (multi-line text keeps tab,
// line feed and carriage return, which browsers send for a textarea's line breaks).
// A secret *value* is not text in this sense: it is sealed bytes, and NUL bytes in it are kept exactly.
import { z } from "zod";

/** What is wrong with a character: `nul` and `surrogate` cannot be stored at all; `control` is refused by rule. */
export type TextProblemKind = "nul" | "surrogate" | "control";

/** The first character of a string that text may not contain. */
export interface TextProblem {
  kind: TextProblemKind;
  /** UTF-16 index of the character in the string. */
  index: number;
  /** The character's UTF-16 code unit (a control character's code point; a surrogate's code unit). */
  codePoint: number;
}

/** Which characters besides NUL and unpaired surrogates (always refused) a field accepts. */
export interface TextRules {
  /** Also accept tab, line feed and carriage return (descriptions, messages, textareas). Default false. */
  multiline?: boolean;
}

const isLineSpace = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d;
// The characters that need a closer look; the search jumps from one to the next, so long text with none
// (or with only allowed ones) costs one pass.
const SUSPECT = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff]/g;

/**
 * The first character of `value` (from UTF-16 index `from` on) that text may not contain, or null when
 * there is none: U+0000, an unpaired UTF-16 surrogate (a JSON `"\ud800"` escape or a YAML one produces
 * these), or a control character (Unicode category Cc) other than tab/LF/CR in multi-line text.
 */
export function findTextProblem(value: string, rules: TextRules = {}, from = 0): TextProblem | null {
  SUSPECT.lastIndex = from;
  for (let match = SUSPECT.exec(value); match; match = SUSPECT.exec(value)) {
    const i = match.index;
    const c = value.charCodeAt(i);
    if (c === 0) return { kind: "nul", index: i, codePoint: 0 };
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return { kind: "surrogate", index: i, codePoint: c };
      SUSPECT.lastIndex = i + 2;
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return { kind: "surrogate", index: i, codePoint: c };
    if (!(rules.multiline && isLineSpace(c))) return { kind: "control", index: i, codePoint: c };
  }
  return null;
}

const hex = (c: number) => c.toString(16).toUpperCase().padStart(4, "0");

/**
 * The problem in words, without a subject, e.g. `contains a NUL character (U+0000), which cannot be
 * stored`; callers put the field's name in front.
 */
export function describeTextProblem(problem: TextProblem): string {
  switch (problem.kind) {
    case "nul":
      return "contains a NUL character (U+0000), which cannot be stored";
    case "surrogate":
      return `contains an unpaired surrogate (U+${hex(problem.codePoint)}), which is not valid Unicode text and cannot be stored`;
    case "control":
      return `contains a control character (U+${hex(problem.codePoint)}), which is not allowed here`;
  }
}

/** `{label} {problem}.` for the first problem in `value`, or null when the text is acceptable. */
export function textProblemMessage(label: string, value: string, rules: TextRules = {}): string | null {
  const problem = findTextProblem(value, rules);
  return problem ? `${label} ${describeTextProblem(problem)}.` : null;
}

const ESCAPE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * `value` with every control character and unpaired surrogate written as a `\uXXXX` escape, for
 * messages and paths that quote what was sent: they are shown, logged and may be stored, so they must
 * be storable text themselves.
 */
export function escapeText(value: string): string {
  return value.replace(ESCAPE, (c) => `\\u${hex(c.charCodeAt(0)).toLowerCase()}`);
}

/** How `text()` names and bounds a field. */
export interface TextOptions extends TextRules {
  /** The field as messages name it: "Name" in a form, the parameter (`actor`) in an API. */
  label: string;
  /** Most characters (UTF-16 code units, as zod and `maxLength` count). */
  max: number;
  /** Fewest characters (after trimming, when `trim`); 0 by default. */
  min?: number;
  /** Trim surrounding whitespace before the length checks. */
  trim?: boolean;
}

/**
 * A zod string for a text field that PostgreSQL can store: bounded, and refusing NUL, unpaired
 * surrogates and control characters (see `TextRules`) with a message that names the field, e.g.
 * `actor contains a NUL character (U+0000), which cannot be stored.` The issue is reported at the
 * field's own path, so the form and API wrappers put it beside (or name) that field. Chain
 * `.optional()` and friends as with any zod string.
 */
export function text(options: TextOptions): z.ZodString {
  const { label, max, min = 0, trim = false, multiline = false } = options;
  let schema = z.string({ error: `${label} must be text.` });
  if (trim) schema = schema.trim();
  if (min > 0) schema = schema.min(min, min === 1 ? `${label} must not be empty.` : `${label} must be at least ${min} characters.`);
  schema = schema.max(max, `${label} must be at most ${max} characters.`);
  return schema.superRefine((value, ctx) => {
    const message = textProblemMessage(label, value, { multiline });
    if (message) ctx.addIssue({ code: "custom", message });
  });
}
