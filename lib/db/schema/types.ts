// Column helpers shared by the schema files.
import { customType, timestamp, uuid } from "drizzle-orm/pg-core";

/** Raw bytes (ciphertexts, wrapped keys, hashes) as Buffers on both drivers. */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value),
});

export const id = () => uuid("id").primaryKey().defaultRandom();
export const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
