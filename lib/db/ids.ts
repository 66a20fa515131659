// Row ids are UUIDs: a string that is not one names no row, so lookups answer "not found" without
// sending it to the database (where it would be a type error, not an empty result).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
