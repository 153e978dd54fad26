/**
 * The history of a case in SQLite (`case_events`). Events are written by the
 * case store inside the transaction of the change they record, never alone.
 */
import type { Database } from './db.js';
import type { CaseEvent } from './types.js';

interface EventRow {
  at: string;
  actor: string;
  kind: CaseEvent['kind'];
  from_queue: string | null;
  to_queue: string | null;
  assignee: string | null;
  note: string | null;
  fields: string;
}

/** Statements over `case_events`, prepared once. */
export class SqliteCaseEvents {
  private readonly insert;
  private readonly byCase;

  constructor(db: Database) {
    this.insert = db.prepare<[number, string, string, string, string | null, string | null, string | null, string | null, string]>(
      `INSERT INTO case_events (case_number, at, actor, kind, from_queue, to_queue, assignee, note, fields)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.byCase = db.prepare<[number], EventRow>(
      'SELECT at, actor, kind, from_queue, to_queue, assignee, note, fields FROM case_events WHERE case_number = ? ORDER BY id',
    );
  }

  /** Appends an event; the caller MUST be inside the transaction of the change. */
  append(caseNumber: number, e: CaseEvent): void {
    this.insert.run(caseNumber, e.at, e.by, e.kind, e.fromQueue, e.toQueue, e.assignee, e.note, JSON.stringify(e.fields));
  }

  /** The case's events, oldest first. */
  of(caseNumber: number): CaseEvent[] {
    return this.byCase.all(caseNumber).map((r) => ({
      at: r.at,
      by: r.actor,
      kind: r.kind,
      fromQueue: r.from_queue,
      toQueue: r.to_queue,
      assignee: r.assignee,
      note: r.note,
      fields: JSON.parse(r.fields) as string[],
    }));
  }
}
