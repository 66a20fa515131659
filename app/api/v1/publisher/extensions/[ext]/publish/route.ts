// POST publishes the extension's newest version; 409 publish_blocked names missing required credentials.
import type { z } from "zod";
import type { publishAnswer } from "@/lib/extensions/api-schemas";
import { publishExtension } from "@/lib/extensions/publish";
import { apiJson, publisherApi } from "../../../handler";

export const POST = publisherApi<{ ext: string }>(async (_request, call, deps, { ext }) => {
  const { extension, version } = await publishExtension(deps, call, ext);
  return apiJson({
    extension: { id: extension.id, slug: extension.slug, name: extension.name, status: extension.status },
    version: { version: version.version, published_at: version.publishedAt?.toISOString() ?? null },
  } satisfies z.infer<typeof publishAnswer>);
});
