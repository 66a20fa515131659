// PUT { "value": "…", "rotate"?: true } sets or rotates a partner credential; DELETE removes it. The
// value is never echoed back.
import type { z } from "zod";
import { credentialBody, type credentialDeleted, type credentialSet } from "@/lib/extensions/api-schemas";
import { ExtensionError } from "@/lib/extensions/errors";
import { deletePartnerCredential, rotatePartnerCredential, setPartnerCredential } from "@/lib/extensions/partner-credentials";
import { apiJson, publisherApi, readJson } from "../../../../handler";

export const PUT = publisherApi<{ ext: string; key: string }>(async (request, call, deps, params) => {
  const parsed = credentialBody.safeParse(await readJson(request));
  if (!parsed.success) throw new ExtensionError("credential_value_invalid", 'Send { "value": "…" } as JSON.', { field: "value" });
  const ext = params.ext;
  const { value, rotate } = parsed.data;
  const result = rotate
    ? await rotatePartnerCredential(deps, call, ext, params.key, value)
    : await setPartnerCredential(deps, call, ext, params.key, value);
  return apiJson({
    key: params.key,
    label: result.declaration.label,
    status: "configured",
    version: result.version,
    rotated: Boolean(rotate),
  } satisfies z.infer<typeof credentialSet>);
});

export const DELETE = publisherApi<{ ext: string; key: string }>(async (_request, call, deps, params) => {
  const result = await deletePartnerCredential(deps, call, params.ext, params.key);
  return apiJson({ key: params.key, label: result.declaration.label, status: "missing", was_set: result.wasSet } satisfies z.infer<
    typeof credentialDeleted
  >);
});
