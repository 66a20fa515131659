// Which files of an extension are scanned (and, for `latchkey publish --source`, packed): what ships.
// Dependencies, tests, fixtures, docs and build caches are skipped by default; the extension's own
// `.latchkeyignore` (gitignore syntax, read with the `ignore` package that ESLint uses) adds patterns
// and can bring a default back with `!` (e.g. `!docs/`).
import ignore, { type Ignore } from "ignore";

/** The ignore file read from the extension's root. */
export const IGNORE_FILE = ".latchkeyignore";
/** The baseline file read from the extension's root (see baseline.ts). */
export const BASELINE_FILE = "latchkey-scan-baseline.json";

/** Skipped unless the ignore file says otherwise (gitignore syntax). */
export const DEFAULT_IGNORES: readonly string[] = [
  // version control and editors
  ".git/",
  ".hg/",
  ".svn/",
  ".idea/",
  ".vscode/",
  ".DS_Store",
  // dependencies
  "node_modules/",
  "bower_components/",
  "jspm_packages/",
  "vendor/",
  ".venv/",
  "venv/",
  "site-packages/",
  "__pycache__/",
  "*.pyc",
  ".tox/",
  ".nox/",
  ".pnpm-store/",
  ".yarn/",
  // tests and fixtures
  "test/",
  "tests/",
  "__tests__/",
  "__mocks__/",
  "spec/",
  "e2e/",
  "fixtures/",
  "__fixtures__/",
  "testdata/",
  "*.test.*",
  "*.spec.*",
  "test_*.py",
  "*_test.py",
  "conftest.py",
  // docs and examples
  "docs/",
  "doc/",
  "examples/",
  "*.md",
  "*.mdx",
  "*.rst",
  // caches, coverage, source maps, minified copies of sources that are scanned anyway
  ".next/cache/",
  ".cache/",
  ".turbo/",
  "coverage/",
  ".nyc_output/",
  ".pytest_cache/",
  ".mypy_cache/",
  "*.map",
  "*.min.js",
  // lock files hold no credentials
  "package-lock.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "poetry.lock",
];

/** Source files parsed by the language analyzers, by extension. */
export const CODE_EXTENSIONS: Record<string, "javascript" | "typescript" | "tsx" | "python"> = {
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "tsx",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".py": "python",
};

/** Other text files searched for hard-coded credentials (tokens.ts). */
const TEXT_EXTENSIONS = new Set([
  ".json",
  ".yaml",
  ".yml",
  ".toml",
  ".ini",
  ".cfg",
  ".conf",
  ".env",
  ".properties",
  ".pem",
  ".key",
  ".txt",
  ".xml",
  ".html",
  ".sh",
  ".npmrc",
  ".pypirc",
]);

export function languageOf(path: string): "javascript" | "typescript" | "tsx" | "python" | null {
  const dot = path.lastIndexOf(".");
  if (dot < path.lastIndexOf("/")) return null;
  return CODE_EXTENSIONS[path.slice(dot).toLowerCase()] ?? null;
}

/** Whether a file is read at all: code, or a text format that can hold a credential value. */
export function isScannable(path: string): boolean {
  if (languageOf(path)) return true;
  const base = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (base === ".env" || base.startsWith(".env.") || base === ".npmrc" || base === ".pypirc" || base === "id_rsa" || base === "id_ed25519")
    return true;
  const dot = base.lastIndexOf(".");
  return dot > 0 && TEXT_EXTENSIONS.has(base.slice(dot));
}

/**
 * The filter of what ships: DEFAULT_IGNORES, then the lines of the extension's ignore file (which may
 * re-include a default with `!pattern`). `ignores(path)` takes a relative path with `/` separators.
 */
export function shipFilter(ignoreFileText?: string | null): Ignore {
  const filter = ignore().add([...DEFAULT_IGNORES]);
  if (ignoreFileText) filter.add(ignoreFileText);
  return filter;
}
