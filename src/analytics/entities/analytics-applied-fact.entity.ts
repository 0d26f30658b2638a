import { Entity, Index } from 'typeorm';
import { BusinessDateColumn, IdColumn, InstantColumn, VarcharColumn } from '../../database/columns';

/** The de-duplication ledger: a fact id is applied to the roll-ups at most once (unique per source). */
@Entity({ name: 'analytics_applied_facts' })
@Index('uq_analytics_applied_facts', ['source', 'factId'], { unique: true })
@Index('ix_analytics_applied_facts_date', ['source', 'businessDate'])
@Index('ix_analytics_applied_facts_mark', ['source', 'sourceMark'])
export class AnalyticsAppliedFactEntity {
  @IdColumn() id!: string;
  @VarcharColumn(16) source!: string;
  @VarcharColumn(255) factId!: string;
  /** sha-256 of the fact's content: a re-delivery with other content is CONFLICT ROLLUP_FACT_CHANGED. */
  @VarcharColumn(64) fingerprint!: string;
  /** The fact's business date, so a rebuild of a date range can replace the range's ledger rows too. */
  @BusinessDateColumn() businessDate!: string;
  /** The high-water mark of the source row the fact came from: ledger rows far below the cursor are pruned. */
  @InstantColumn() sourceMark!: Date;
  @InstantColumn() appliedAt!: Date;
}
