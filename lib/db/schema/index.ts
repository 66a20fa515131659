// The whole drizzle schema, split by domain.
export * from "./core";
export * from "./vault";
export * from "./audit";
