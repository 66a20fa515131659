// `latchkey scan [DIR]`: the publish-time scan, run locally on what ships from DIR (default: the current
// directory) against DIR's manifest. Human output by default, `--format json` or `--format sarif`
// (SARIF 2.1.0, for GitHub code scanning); exit code 1 when anything blocks. `--write-baseline` accepts
// the current findings in latchkey-scan-baseline.json.
import fs from "node:fs";
import path from "node:path";
import { CliError } from "./api";
import type { CliCommand } from "./command";
import { readDirManifest } from "./source-dir";

export const scan: CliCommand = {
  name: "scan",
  register(command, io) {
    command
      .description("Scan an extension's source for credential reads that bypass the vault (exit code 1 when anything blocks)")
      .argument("[dir]", "the extension's directory", ".")
      .option("--format <format>", "human, json or sarif", "human")
      .option("--manifest <file>", "the manifest (default: manifest.yaml or latchkey.yaml in DIR)")
      .option("--write-baseline", "accept every current finding in latchkey-scan-baseline.json")
      .action(async (dir: string, options: { format: string; manifest?: string; writeBaseline?: boolean }) => {
        if (!["human", "json", "sarif"].includes(options.format)) {
          throw new CliError(`--format must be human, json or sarif, not ${JSON.stringify(options.format)}.`);
        }
        const lib = await import("@latchkey/scan");
        const manifest = await readDirManifest(dir, options.manifest);
        let files;
        try {
          files = lib.listShippedFiles(dir);
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        const baselinePath = path.join(dir, lib.BASELINE_FILE);
        let baseline: Set<string> | undefined;
        if (fs.existsSync(baselinePath) && !options.writeBaseline) {
          try {
            baseline = lib.parseBaseline(fs.readFileSync(baselinePath, "utf8"));
          } catch (error) {
            throw new CliError((error as Error).message);
          }
        }
        const sources = files.flatMap((f) => {
          const content = lib.isScannable(f.path) ? lib.readText(f) : null;
          return content === null ? [] : [{ path: f.path, content }];
        });
        const report = lib.scanFiles(sources, { declared: manifest ? lib.manifestDeclarations(manifest.data) : null, baseline });
        report.files.skipped = files.length - sources.length;
        if (options.writeBaseline) {
          fs.writeFileSync(baselinePath, `${JSON.stringify(lib.baselineFor(report.findings), null, 2)}\n`);
          io.out(`Wrote ${report.findings.length} ${report.findings.length === 1 ? "finding" : "findings"} to ${baselinePath}.`);
          return;
        }
        if (options.format === "json") io.out(JSON.stringify(report, null, 2));
        else if (options.format === "sarif") io.out(JSON.stringify(lib.toSarif(report), null, 2));
        else io.out(lib.formatHuman(report));
        if (report.summary.blocking > 0) throw new CliError("", [], 1);
      });
  },
};
