// `latchkey credentials list EXT`: the status of each declared partner credential (never values).
import { callApi } from "./api";
import type { CliCommand } from "./command";
import { urlOption } from "./command";

interface ListResult {
  extension: { name: string; slug: string };
  credentials: { key: string; label: string; required: boolean; status: string; last_set_at: string | null; last_set_by: string | null }[];
}

export const credentialsList: CliCommand = {
  name: "credentials list",
  register(command, io) {
    command
      .description("List an extension's partner credentials and whether each is configured")
      .argument("<extension>", "extension id")
      .option("--json", "print JSON")
      .action(async (extension: string, options: { json?: boolean }, cmd) => {
        const result = await callApi<ListResult>(
          io,
          { url: urlOption(cmd) },
          "GET",
          `/extensions/${encodeURIComponent(extension)}/credentials`,
        );
        if (options.json) {
          io.out(JSON.stringify(result.credentials, null, 2));
          return;
        }
        const rows = [
          ["KEY", "LABEL", "REQUIRED", "STATUS", "LAST SET"],
          ...result.credentials.map((c) => [
            `ext.${c.key}`,
            c.label,
            c.required ? "yes" : "no",
            c.status,
            c.last_set_at ? `${c.last_set_at.slice(0, 16).replace("T", " ")}${c.last_set_by ? ` by ${c.last_set_by}` : ""}` : "—",
          ]),
        ];
        const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
        for (const row of rows)
          io.out(
            row
              .map((cell, i) => cell.padEnd(widths[i] ?? 0))
              .join("  ")
              .trimEnd(),
          );
      });
  },
};
