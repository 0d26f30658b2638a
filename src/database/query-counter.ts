import { AbstractLogger, LogLevel, LogMessage } from 'typeorm';

/** Counts SQL statements; tests and the bench use it to prove a nested query does not grow with page size. */
export class QueryCounter extends AbstractLogger {
  count = 0;
  readonly statements: string[] = [];
  recording = false;

  constructor() {
    super(['query']);
  }

  override logQuery(query: string): void {
    this.count += 1;
    if (this.recording) this.statements.push(query);
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {
    // counting only
  }

  reset(): void {
    this.count = 0;
    this.statements.length = 0;
  }
}
