// GET the extensions of the token's publisher.
import type { z } from "zod";
import type { extensionList } from "@/lib/extensions/api-schemas";
import { listPublisherExtensions } from "@/lib/extensions/queries";
import { apiJson, publisherApi } from "../handler";

export const GET = publisherApi(async (_request, call, deps) => {
  const publisher = call.actor.publishers[0];
  const rows = publisher ? await listPublisherExtensions(deps.db, publisher.id) : [];
  return apiJson({
    extensions: rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, status: r.status, latest_version: r.latestVersion })),
  } satisfies z.infer<typeof extensionList>);
});
