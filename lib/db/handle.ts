// The typed database handle every query takes: drizzle over our schema, on either driver, or an open
// transaction of it. Its own module so the client (which migrates on open) and the migrator share it
// without importing each other; lib/db/client.ts re-exports it for everyone else.
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type * as schema from "./schema";

/** The schema's tables and enums, as drizzle sees them. */
export type Schema = typeof schema;
/** The database (postgres.js or PGlite) over our schema. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** An open transaction of {@link Db}. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Queries take either the database or an open transaction, so callers can compose them. */
export type DbOrTx = Db | Tx;
