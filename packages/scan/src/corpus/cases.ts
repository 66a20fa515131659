// The labelled corpus: JavaScript/TypeScript and Python snippets, each with the findings it must produce
// (rule and effective severity) or none at all. It holds every example of issue 18 and of the per-user
// secrets guide (spec/003: its V32 ERROR/PASS/WARN snippets, its "What NOT to do" list, its handlers),
// true negatives that look like positives (allow-listed names, token counts, URLs, placeholders), and
// exceptions. corpus.test.ts runs each case; `npm run bench:scan` prints precision and recall over it.
// Credential values are assembled at run time so the repository holds no string in a live token format.

import { NEGATIVE_CASES } from "./negatives";
import { READ_CASES } from "./reads";
import { SDK_CASES } from "./sdk";
import { STORE_CASES } from "./stores";
import type { CorpusCase } from "./support";

export { SPOTIFY_MANIFEST, type CorpusCase } from "./support";

/** Every case, in the order of the guide: blocking reads, other stores, the SDK and its flows, then what must not block. */
export const CORPUS: CorpusCase[] = [...READ_CASES, ...STORE_CASES, ...SDK_CASES, ...NEGATIVE_CASES];
