// GET the status of an extension's partner credentials (never values).
import type { z } from "zod";
import type { credentialList } from "@/lib/extensions/api-schemas";
import { listPartnerCredentials } from "@/lib/extensions/partner-credentials";
import { apiJson, publisherApi } from "../../../handler";

export const GET = publisherApi<{ ext: string }>(async (_request, call, deps, { ext }) => {
  const { extension, credentials } = await listPartnerCredentials(deps, call, ext);
  return apiJson({
    extension: { id: extension.id, slug: extension.slug, name: extension.name, status: extension.status },
    credentials: credentials.map((c) => ({
      key: c.key,
      label: c.label,
      type: c.type,
      required: c.required,
      secret: c.secret,
      status: c.isSet ? "configured" : "missing",
      last_set_at: c.lastSetAt?.toISOString() ?? null,
      last_set_by: c.lastSetBy?.email ?? null,
    })),
  } satisfies z.infer<typeof credentialList>);
});
