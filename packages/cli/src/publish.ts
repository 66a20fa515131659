// `latchkey publish [EXT] [--source DIR]`: publishes the extension's newest version, or prints why it
// cannot be published. With --source, what ships from DIR is packed (honouring DIR/.latchkeyignore) and
// uploaded for the version DIR's manifest names first, so the server scans it before publishing; EXT
// may then be left out (the manifest's extension.id).
import { callApi, CliError } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";
import { packShippedFiles, readDirManifest } from "./source-dir";

interface SourceAnswer {
  version: { version: string };
  scan: {
    files: { scanned: number };
    summary: { blocking: number; warnings: number; exceptions: number; baselined: number };
    findings: {
      rule: string;
      severity: string;
      path: string;
      line: number;
      column: number;
      message: string;
      exception?: { reason: string };
    }[];
  };
}

export const publish: CliCommand = {
  name: "publish",
  register(command, io) {
    command
      .description("Publish the extension's newest version (required partner credentials configured, no blocking scan finding)")
      .argument("[extension]", "extension id (default with --source: the manifest's extension.id)")
      .option("--source <dir>", "upload what ships from this directory for the scan first")
      .option("--manifest <file>", "with --source: the manifest (default: manifest.yaml or latchkey.yaml in the directory)")
      .action(async (extensionArg: string | undefined, options: { source?: string; manifest?: string }, cmd) => {
        const url = urlOption(cmd);
        let extension = extensionArg;
        if (options.source) {
          const manifest = await readDirManifest(options.source, options.manifest);
          extension ??= manifest?.id ?? undefined;
          if (!extension)
            throw new CliError(`Name the extension, or put its manifest (manifest.yaml or latchkey.yaml) in ${options.source}.`);
          const { archive, files } = await packShippedFiles(options.source);
          const query = manifest?.version ? `?version=${encodeURIComponent(manifest.version)}` : "";
          const answer = await callApi<SourceAnswer>(io, { url }, "PUT", `/extensions/${encodeURIComponent(extension)}/source${query}`, {
            bytes: { data: archive, type: "application/gzip" },
          });
          const s = answer.scan.summary;
          io.err(
            `Uploaded ${files} ${files === 1 ? "file" : "files"} for ${answer.version.version}: ${answer.scan.files.scanned} scanned, ${s.blocking} blocking, ${s.warnings} ${s.warnings === 1 ? "warning" : "warnings"}.`,
          );
          for (const f of answer.scan.findings.filter((f) => f.severity === "warn")) {
            io.err(
              `warning: ${f.path}:${f.line}:${f.column} ${f.rule}: ${f.message}${f.exception ? ` (exception: ${f.exception.reason})` : ""}`,
            );
          }
        }
        if (!extension) throw new CliError("Name the extension to publish, or pass --source DIR.");
        const result = await callApi<{ extension: { name: string }; version: { version: string } }>(
          io,
          { url },
          "POST",
          `/extensions/${encodeURIComponent(extension)}/publish`,
        );
        io.out(`Published ${result.extension.name} ${result.version.version}.`);
      });
  },
};
