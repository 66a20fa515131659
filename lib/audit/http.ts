// The viewers' JSON route and the streamed CSV / JSONL exports, shared by the admin, publisher and
// end-user routes: they differ only in the scope their guard resolved.
import { z } from "zod";
import type { DbOrTx } from "@/lib/db/client";
import { currentRequestId, newRequestId } from "@/lib/http/request-context";
import { jsonResponse } from "@/lib/http/respond";
import { text } from "@/lib/http/text";
import { csvColumns, csvLine } from "./audit-csv";
import { exportAuditEvents, listAuditEvents, type AuditFilters, type AuditScope } from "./queries";

const blank = (v: unknown) => (v === "" ? undefined : v);
// Text filters go into WHERE clauses: text() refuses what PostgreSQL cannot take (a NUL was a 500).
const filter = (label: string) => z.preprocess(blank, text({ label, max: 200 }).optional());
const query = z.object({
  actor: filter("actor"),
  action: filter("action"),
  extension: filter("extension"),
  org: filter("org"),
  outcome: z.preprocess(blank, z.enum(["success", "failure", "denied"]).optional()),
  from: z.preprocess(blank, z.coerce.date().optional()),
  to: z.preprocess(blank, z.coerce.date().optional()),
  cursor: z.preprocess(blank, z.coerce.number().int().positive().optional()),
  limit: z.preprocess(blank, z.coerce.number().int().min(1).max(200).optional()),
  format: z.preprocess(blank, z.enum(["json", "csv", "jsonl"]).default("json")),
});

const jsonError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  jsonResponse({ error: { code, message, request_id: currentRequestId() ?? newRequestId(), ...extra } }, status);

/** Answers GET …/events: a JSON page (format=json) or the whole filtered set streamed as CSV or JSONL. */
export async function auditEventsResponse(db: DbOrTx, scope: AuditScope, url: URL, fixed: Partial<AuditFilters> = {}): Promise<Response> {
  const parsed = query.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? "query");
    // text()'s messages already begin with the parameter's name; zod's built-in ones do not.
    const said = issue?.message ?? "invalid";
    const message = said.startsWith(`${field} `) ? said : `${field}: ${said}`;
    return jsonError(400, "invalid_request", message, { field });
  }
  const { cursor, limit, format, ...rest } = parsed.data;
  const filters: AuditFilters = { ...rest, ...fixed };
  if (format === "json") {
    const page = await listAuditEvents(db, scope, filters, { cursor, limit });
    return Response.json(page, { headers: { "cache-control": "no-store" } });
  }
  const encoder = new TextEncoder();
  const pages = exportAuditEvents(db, scope, filters);
  let header = format === "csv";
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(`${csvColumns.join(",")}\r\n`));
        return;
      }
      const next = await pages.next();
      if (next.done) {
        controller.close();
        return;
      }
      const body = next.value.map((row) => (format === "csv" ? csvLine(row) : `${JSON.stringify(row)}\n`)).join("");
      controller.enqueue(encoder.encode(body));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(":", "-");
  return new Response(stream, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="latchkey-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
