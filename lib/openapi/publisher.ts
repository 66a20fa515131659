// The publisher API in the OpenAPI document (app/api/v1/publisher, publisher API tokens, used by the
// `latchkey` CLI). Schemas from lib/extensions/api-schemas.ts.
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import {
  credentialBody,
  credentialDeleted,
  credentialList,
  credentialSet,
  extensionList,
  manifestJsonBody,
  manifestUploaded,
  publishAnswer,
  publisherMe,
  runtimeTestToken,
  sourceQuery,
  sourceUploaded,
} from "@/lib/extensions/api-schemas";
import { errorResponses, json, jsonBody, security, type ErrorCode } from "./shared";

const TOKEN: ErrorCode[] = ["unauthenticated", "rate_limited"];
const EXTENSION: ErrorCode[] = [...TOKEN, "not_found"];
const ext = z.object({ ext: z.string().meta({ description: "The extension's slug or id" }) });
const credentialParams = ext.extend({ key: z.string().meta({ description: "The credentials.ext name, without `ext.`" }) });

/** Registers the publisher API's operations. */
export function registerPublisher(registry: OpenAPIRegistry): void {
  const common = { tags: ["publisher"], security: security.publisher };
  registry.registerPath({
    ...common,
    method: "get",
    path: "/publisher/me",
    operationId: "getPublisherMe",
    summary: "Who the token acts as (`latchkey login` checks a token with it)",
    responses: { 200: json("The token's user and publisher", publisherMe), ...errorResponses(TOKEN) },
  });
  registry.registerPath({
    ...common,
    method: "get",
    path: "/publisher/extensions",
    operationId: "listPublisherExtensions",
    summary: "The extensions of the token's publisher",
    responses: { 200: json("Extensions", extensionList), ...errorResponses(TOKEN) },
  });
  registry.registerPath({
    ...common,
    method: "post",
    path: "/publisher/manifests",
    operationId: "uploadManifest",
    summary: "Upload a manifest: creates the extension or a new draft version",
    request: {
      body: {
        required: true,
        description: "The manifest's YAML as the body, or JSON { yaml }",
        content: { "application/yaml": { schema: z.string() }, "application/json": { schema: manifestJsonBody } },
      },
    },
    responses: {
      200: json("A new draft version of an existing extension", manifestUploaded),
      201: json("A new extension", manifestUploaded),
      ...errorResponses([...TOKEN, "forbidden", "invalid_manifest", "extension_taken", "wrong_extension", "version_published"]),
    },
  });
  registerExtensionRoutes(registry, common);
}

function registerExtensionRoutes(registry: OpenAPIRegistry, common: { tags: string[]; security: typeof security.publisher }): void {
  registry.registerPath({
    ...common,
    method: "get",
    path: "/publisher/extensions/{ext}/credentials",
    operationId: "listPartnerCredentials",
    summary: "The status of an extension's partner credentials (never values)",
    request: { params: ext },
    responses: { 200: json("Credentials", credentialList), ...errorResponses(EXTENSION) },
  });
  registry.registerPath({
    ...common,
    method: "put",
    path: "/publisher/extensions/{ext}/credentials/{key}",
    operationId: "setPartnerCredential",
    summary: "Set or (with rotate) rotate a partner credential; the value is never echoed back",
    request: { params: credentialParams, body: jsonBody(credentialBody) },
    responses: {
      200: json("Stored", credentialSet),
      ...errorResponses([...EXTENSION, "credential_value_invalid", "credential_not_declared", "credential_not_set", "vault_unavailable"]),
    },
  });
  registry.registerPath({
    ...common,
    method: "delete",
    path: "/publisher/extensions/{ext}/credentials/{key}",
    operationId: "deletePartnerCredential",
    summary: "Remove a partner credential",
    request: { params: credentialParams },
    responses: {
      200: json("Removed", credentialDeleted),
      ...errorResponses([...EXTENSION, "credential_not_declared", "vault_unavailable"]),
    },
  });
  registry.registerPath({
    ...common,
    method: "post",
    path: "/publisher/extensions/{ext}/publish",
    operationId: "publishExtension",
    summary: "Publish the newest version; 409 publish_blocked names missing required credentials or blocking findings",
    request: { params: ext },
    responses: { 200: json("Published", publishAnswer), ...errorResponses([...EXTENSION, "publish_blocked", "nothing_to_publish"]) },
  });
  registry.registerPath({
    ...common,
    method: "put",
    path: "/publisher/extensions/{ext}/source",
    operationId: "uploadSource",
    summary: "Upload a version's source archive (.zip or .tar.gz); it is scanned and the findings stored",
    request: {
      params: ext,
      query: sourceQuery,
      body: { required: true, content: { "application/octet-stream": { schema: z.string().meta({ format: "binary" }) } } },
    },
    responses: {
      200: json("The archive and its scan", sourceUploaded),
      ...errorResponses([...EXTENSION, "invalid_archive", "version_published"]),
    },
  });
  registry.registerPath({
    ...common,
    method: "post",
    path: "/publisher/installations/{id}/runtime-token",
    operationId: "mintRuntimeTestToken",
    summary: "Mint a runtime test token for an installation (`latchkey token mint`)",
    request: { params: z.object({ id: z.uuid().meta({ description: "The installation's id" }) }) },
    responses: { 200: json("The token", runtimeTestToken), ...errorResponses([...TOKEN, "invalid_request", "installation_access_denied"]) },
  });
}
