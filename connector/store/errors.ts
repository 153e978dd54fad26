/**
 * Errors of the store. Each has a literal `code` to branch on; never branch
 * on `message`.
 */

/** The data directory or database file could not be opened. */
export class DatabaseOpenError extends Error {
  readonly code = 'DB_OPEN_FAILED' as const;
  override readonly name = 'DatabaseOpenError';
}

/** The database was written by a newer release (its `user_version` is past our migrations). */
export class SchemaTooNewError extends Error {
  readonly code = 'DB_SCHEMA_TOO_NEW' as const;
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(`database schema version ${found} is newer than this release knows (${known}); upgrade Switchboard`);
  }
}

/** A case refers to a contact that does not exist. */
export class ContactNotFoundError extends Error {
  readonly code = 'CONTACT_NOT_FOUND' as const;
  override readonly name = 'ContactNotFoundError';
  constructor(readonly contactId: number) {
    super(`contact ${contactId} does not exist`);
  }
}

/** A new contact refers to an account that does not exist. */
export class AccountNotFoundError extends Error {
  readonly code = 'ACCOUNT_NOT_FOUND' as const;
  override readonly name = 'AccountNotFoundError';
  constructor(readonly accountId: number) {
    super(`account ${accountId} does not exist`);
  }
}

/** A new case names both an existing contact and a contact to create: which one is meant is unknown. */
export class CaseContactConflictError extends Error {
  readonly code = 'CASE_CONTACT_CONFLICT' as const;
  override readonly name = 'CaseContactConflictError';
  constructor() {
    super('a case may have contactId or newContact, not both');
  }
}

/** The CSV file lacks a required column, repeats one, or is empty. */
export class CsvHeaderInvalidError extends Error {
  readonly code = 'CSV_HEADER_INVALID' as const;
  override readonly name = 'CsvHeaderInvalidError';
  constructor(
    message: string,
    /** Required columns that are absent. */
    readonly missing: readonly string[],
  ) {
    super(message);
  }
}

/** The CSV file could not be read (missing, unreadable). */
export class CsvReadError extends Error {
  readonly code = 'CSV_READ_FAILED' as const;
  override readonly name = 'CsvReadError';
  constructor(
    readonly filePath: string,
    options: { cause: unknown },
  ) {
    super(`cannot read ${filePath}`, options);
  }
}

/** Another process held the PostgreSQL migration lock for longer than we wait. */
export class MigrationLockTimeoutError extends Error {
  readonly code = 'DB_MIGRATION_LOCKED' as const;
  override readonly name = 'MigrationLockTimeoutError';
  constructor(
    readonly waitedMs: number,
    options: { cause: unknown },
  ) {
    super(`another process has been migrating the database for over ${waitedMs} ms; is one stuck?`, options);
  }
}

/** The PostgreSQL connection has no schema to create tables in (its search_path names none that exists). */
export class SchemaMissingError extends Error {
  readonly code = 'DB_SCHEMA_MISSING' as const;
  override readonly name = 'SchemaMissingError';
  constructor(readonly searchPath: string) {
    super(`no schema of the search_path "${searchPath}" exists; create it first`);
  }
}
