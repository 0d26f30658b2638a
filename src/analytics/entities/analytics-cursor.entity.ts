import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { InstantColumn } from '../../database/columns';

/** Per-source high-water mark of the catch-up (re-read with an overlap; the ledger skips what was applied). */
@Entity({ name: 'analytics_cursors' })
export class AnalyticsCursorEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 }) source!: string;
  @InstantColumn() watermark!: Date;
  @VersionColumn() version!: number;
  @InstantColumn() updatedAt!: Date;
  /** The window the catch-up last read whole (marks from here on) … */
  @InstantColumn({ nullable: true }) checkedFrom!: Date | null;
  /** … and its row count then: while the count is unchanged every row of it is applied (the sources only grow). */
  @Column({ type: 'varchar', length: 32, nullable: true }) checkedSignature!: string | null;
}
