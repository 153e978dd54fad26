/**
 * Advisory lock classes (the first key of the two-key `pg_advisory_*lock(int, int)`
 * form; the second is a hash of what is locked). Advisory locks are per database,
 * so every class is a constant of its own. "SB" in ASCII, then a class number.
 */

/** Session lock while a process migrates a schema; second key: hashtext(schema). */
export const LOCK_CLASS_MIGRATIONS = 0x5342_0001;
/** Transaction lock around a case save with an Idempotency-Key; second key: hashtext(key). */
export const LOCK_CLASS_IDEMPOTENCY = 0x5342_0002;
/** Transaction lock around a contact import batch; second key: hashtext(schema). */
export const LOCK_CLASS_IMPORT = 0x5342_0003;
