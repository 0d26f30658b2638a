import { AbstractLogger, LogLevel, LogMessage } from 'typeorm';

/** Counts SQL statements; tests and the bench use it to prove a nested query does not grow with page size. */
export class QueryCounter extends AbstractLogger {
  count = 0;
  readonly statements: string[] = [];
  /** The parameters of each recorded statement, as the driver received them. */
  readonly parameters: unknown[][] = [];
  recording = false;

  constructor() {
    super(['query']);
  }

  override logQuery(query: string, parameters?: unknown[]): void {
    this.count += 1;
    if (!this.recording) return;
    this.statements.push(query);
    this.parameters.push(parameters ?? []);
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {
    // counting only
  }

  reset(): void {
    this.count = 0;
    this.statements.length = 0;
    this.parameters.length = 0;
  }
}
