// The whole drizzle schema, split by domain.
export * from "./core";
export * from "./vault";
export * from "./audit";
export * from "./runtime";
export * from "./publisher";
export * from "./audit-log";
export * from "./panel";
export * from "./oauth";
export * from "./rate-limits";
export * from "./scan";
