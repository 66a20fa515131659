// The viewers' JSON route and the streamed CSV / JSONL exports, shared by the admin, publisher and
// end-user routes: they differ only in the scope their guard resolved.
import type { DbOrTx } from "@/lib/db/client";
import { currentRequestId, newRequestId } from "@/lib/core/request-context";
import { jsonResponse } from "@/lib/http/respond";
import { auditEventsQuery } from "@/lib/audit/schemas";
import { csvColumns, csvLine } from "@/lib/audit/audit-csv";
import { exportAuditEvents, listAuditEvents, type AuditFilters, type AuditScope } from "@/lib/audit/queries";

const jsonError = (status: number, code: string, message: string, extra: Record<string, unknown> = {}) =>
  jsonResponse({ error: { code, message, request_id: currentRequestId() ?? newRequestId(), ...extra } }, status);

/** Answers GET …/events: a JSON page (format=json) or the whole filtered set streamed as CSV or JSONL. */
export async function auditEventsResponse(db: DbOrTx, scope: AuditScope, url: URL, fixed: Partial<AuditFilters> = {}): Promise<Response> {
  const parsed = auditEventsQuery.safeParse(Object.fromEntries(url.searchParams));
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
