// POST a manifest (YAML body, or JSON { "yaml": "…" }): creates the extension or a new draft version.
import type { z } from "zod";
import { manifestJsonBody, type manifestUploaded } from "@/lib/extensions/api-schemas";
import { uploadManifest } from "@/lib/extensions/upload-manifest";
import { ExtensionError } from "@/lib/extensions/errors";
import { readBoundedText } from "@/lib/http/body";
import { MAX_MANIFEST_BYTES } from "@/lib/manifest";
import { apiJson, publisherApi } from "../handler";

export const POST = publisherApi(async (request, call, deps) => {
  // JSON-wrapped YAML may escape characters, so the body may be up to twice the manifest limit.
  const raw = await readBoundedText(
    request,
    MAX_MANIFEST_BYTES * 2,
    () => new ExtensionError("invalid_manifest", `The manifest is larger than ${MAX_MANIFEST_BYTES / 1024} KiB.`),
  );
  let yaml = raw;
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    let body: unknown = null;
    try {
      body = JSON.parse(raw);
    } catch {
      // Not JSON: parsed as no manifest below, which uploadManifest refuses with its own message.
    }
    const parsed = manifestJsonBody.safeParse(body);
    yaml = parsed.success ? parsed.data.yaml : "";
  }
  const result = await uploadManifest(deps.db, call, { yaml });
  return apiJson(
    {
      extension: { id: result.extension.id, slug: result.extension.slug, name: result.extension.name, status: result.extension.status },
      version: { version: result.version.version, published: result.version.publishedAt !== null },
      created: result.created,
      warnings: result.warnings,
    } satisfies z.infer<typeof manifestUploaded>,
    result.created ? 201 : 200,
  );
});
