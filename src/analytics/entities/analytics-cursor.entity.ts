import { Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { InstantColumn } from '../../database/columns';

/** Per-source high-water mark of the catch-up (re-read with an overlap; the ledger skips what was applied). */
@Entity({ name: 'analytics_cursors' })
export class AnalyticsCursorEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 }) source!: string;
  @InstantColumn() watermark!: Date;
  @VersionColumn() version!: number;
  @InstantColumn() updatedAt!: Date;
}
