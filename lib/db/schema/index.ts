// The whole drizzle schema, split by domain.
export * from "./core";
export * from "./vault";
export * from "@/lib/db/schema/audit-events";
export * from "./runtime";
export * from "./publisher";
export * from "@/lib/db/schema/audit-tree";
export * from "@/lib/db/schema/audit-summary";
export * from "./panel";
export * from "./oauth";
export * from "./rate-limits";
export * from "./scan";
