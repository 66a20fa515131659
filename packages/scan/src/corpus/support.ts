// What the corpus files share: the case shape, the manifest the cases are checked against, and token
// values assembled at run time (so the repository holds no string in a live token format).
import type { RuleId } from "../rules";
import type { DeclaredName } from "../types";

export interface CorpusCase {
  name: string;
  /** The file's path: its extension picks the language. */
  path: string;
  code: string;
  /** The findings it must produce, as `rule` or `rule:warn` (an exception turns a block into a warning). */
  expect: string[];
  /** The manifest's declarations; SPOTIFY_MANIFEST when absent. */
  declared?: DeclaredName[];
}

/** The Spotify extension of the guide, plus the Stripe key of its V32 PASS example. */
export const SPOTIFY_MANIFEST: DeclaredName[] = [
  { scope: "user", name: "spotify_api_key", writeMode: "user" },
  { scope: "user", name: "spotify_refresh_token", writeMode: "extension" },
  { scope: "user", name: "spotify_access_token", writeMode: "extension" },
  { scope: "user", name: "stripe_webhook_signing_secret", writeMode: "user" },
  { scope: "user", name: "stripe_api_key", writeMode: "user" },
  { scope: "ext", name: "spotify_client_id", writeMode: "user" },
];

/** `n` characters made by repeating `seed`: a token body of the right length and alphabet. */
export const alnum = (seed: string, n: number) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
export const STRIPE_LIVE = `sk_live_${alnum("4hQz9LmP2xR7", 24)}`;
export const GITHUB_PAT = `ghp_${alnum("Tk3Vb8Nw1Qz6", 36)}`;
export const AWS_KEY = `AKIA${alnum("Q7ZR4K2M", 16)}`;
export const SLACK_BOT = `xoxb-${alnum("918273", 12)}-${alnum("4455667788", 13)}-${alnum("aB3dE5fG7hJ9", 24)}`;
export const OPENAI = `sk-proj-${alnum("Xy7_Pq2-Lm9Zt4Rw", 96)}`;
export const GOOGLE = `AIza${alnum("Sy8Hd-3kWq_1Pz", 35)}`;
export const PEM_HEADER = `-----BEGIN ${"RSA"} PRIVATE KEY-----`;

/** An expected finding that blocks. */
export const B = (rule: RuleId) => rule;
/** An expected finding that warns (a block an exception turned into a warning, or a warn rule). */
export const W = (rule: RuleId) => `${rule}:warn`;
