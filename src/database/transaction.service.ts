import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { isSqlite } from './data-source';

/**
 * One transaction per mutation. better-sqlite3 has a single connection, so concurrent transactions are
 * queued here instead of failing with "cannot start a transaction within a transaction".
 */
@Injectable()
export class TransactionService {
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (!isSqlite(this.dataSource)) return this.dataSource.transaction(work);
    const next = this.sqliteQueue.then(() => this.dataSource.transaction(work));
    this.sqliteQueue = next.catch(() => undefined);
    return next;
  }
}
