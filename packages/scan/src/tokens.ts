// High-confidence hard-coded credentials: values in a well-known token format, and private keys. These
// look for secret *values*, as gitleaks does, in every text file that ships (code, JSON, YAML, .env,
// .pem): a format with a fixed prefix and length is rare enough by chance that a match is worth blocking
// on. Documentation placeholders (AWS's AKIAIOSFODNN7EXAMPLE, `xxxx`, `your_…`) are not reported.

export interface TokenFormat {
  id: string;
  /** What the value is, for the message ("a GitHub personal access token"). */
  label: string;
  pattern: RegExp;
}

export const TOKEN_FORMATS: readonly TokenFormat[] = [
  {
    id: "private-key",
    label: "a private key",
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/g,
  },
  { id: "aws-access-key-id", label: "an AWS access key id", pattern: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g },
  { id: "github-token", label: "a GitHub token", pattern: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/g },
  { id: "github-fine-grained-pat", label: "a GitHub fine-grained personal access token", pattern: /\bgithub_pat_[A-Za-z0-9_]{82}\b/g },
  { id: "gitlab-token", label: "a GitLab personal access token", pattern: /\bglpat-[A-Za-z0-9_-]{20}\b/g },
  { id: "slack-token", label: "a Slack token", pattern: /\bxox[baprs]-[0-9]{6,}-[0-9A-Za-z-]{10,}\b/g },
  {
    id: "slack-webhook",
    label: "a Slack incoming-webhook URL",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,}/g,
  },
  { id: "stripe-secret-key", label: "a Stripe live secret key", pattern: /\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b/g },
  {
    id: "openai-key",
    label: "an OpenAI API key",
    pattern: /\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b|\bsk-proj-[A-Za-z0-9_-]{80,}\b/g,
  },
  { id: "anthropic-key", label: "an Anthropic API key", pattern: /\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{80,}\b/g },
  { id: "google-api-key", label: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { id: "sendgrid-key", label: "a SendGrid API key", pattern: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/g },
  { id: "npm-token", label: "an npm access token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/g },
  { id: "pypi-token", label: "a PyPI API token", pattern: /\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}\b/g },
  { id: "shopify-token", label: "a Shopify access token", pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g },
  { id: "twilio-key", label: "a Twilio API key", pattern: /\bSK[0-9a-f]{32}\b/g },
  { id: "latchkey-token", label: "a Latchkey publisher API token", pattern: /\blk_pub_[A-Za-z0-9_-]{43}\b/g },
];

/** Values that appear in documentation, never as real credentials. */
const PLACEHOLDER = /EXAMPLE|example|xxxx|XXXX|your[_-]|YOUR[_-]|<[^>]*>|\.\.\.|(.)\1{9,}/;

export interface TokenMatch {
  format: TokenFormat;
  /** UTF-16 offset of the match in the text. */
  index: number;
  value: string;
}

/** Quick test: could the text hold any known format? (One pass; most files answer no.) */
const ANY_PREFIX =
  /-----BEGIN|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[baprs]-|hooks\.slack\.com|_live_|sk-|AIza|SG\.|npm_|pypi-|shp(?:at|ca|pa|ss)_|SK[0-9a-f]{32}|lk_pub_/;

/** Every well-known credential in `text`, placeholders left out. */
export function findTokens(text: string): TokenMatch[] {
  if (!ANY_PREFIX.test(text)) return [];
  const found: TokenMatch[] = [];
  for (const format of TOKEN_FORMATS) {
    format.pattern.lastIndex = 0;
    for (const match of text.matchAll(format.pattern)) {
      if (PLACEHOLDER.test(match[0])) continue;
      found.push({ format, index: match.index ?? 0, value: match[0] });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** A match shown without its secret part: the prefix and the length. */
export function maskToken(value: string): string {
  if (value.startsWith("-----BEGIN")) return value;
  const visible = Math.min(8, Math.max(4, value.indexOf("_") + 1, value.indexOf("-") + 1));
  return `${value.slice(0, visible)}… (${value.length} characters)`;
}
