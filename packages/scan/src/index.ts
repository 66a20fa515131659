// @latchkey/scan: the publish-time scanner of extension source. The server runs it on every uploaded
// source archive (lib/scan), the CLI on a directory (`latchkey scan`, `latchkey publish --source`).
export { scanFiles, summarize, SCANNER_VERSION } from "./scan";
export { RULES, RULE_IDS, type Rule, type RuleId, type Severity } from "./rules";
export { isCredentialLike, nameWords, ALLOWED_NAMES } from "./names";
export { TOKEN_FORMATS, findTokens } from "./tokens";
export { shipFilter, isScannable, languageOf, DEFAULT_IGNORES, IGNORE_FILE, BASELINE_FILE } from "./select";
export { fingerprint, parseBaseline, baselineFor, type BaselineFile } from "./baseline";
export { toSarif, SARIF_SCHEMA } from "./sarif";
export { blockedMessage, blockingFindings, formatHuman, FIRST_FINDINGS } from "./format";
export { manifestDeclarations } from "./manifest";
export { listShippedFiles, readText, MAX_FILE_BYTES, type ShippedFile } from "./directory";
export type { Finding, ScanReport, ScanOptions, SourceFile, DeclaredName, ContextLine, ScanSummary } from "./types";
