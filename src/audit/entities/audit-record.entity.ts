import { Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, VarcharColumn } from '../../database/columns';

/** Append-only: the application never updates or deletes these rows. */
@Entity({ name: 'audit_records' })
@Index('ix_audit_records_entity', ['entityType', 'entityId'])
@Index('ix_audit_records_actor', ['actorId'])
@Index('ix_audit_records_action', ['action'])
export class AuditRecordEntity {
  @IdColumn() id!: string;
  @VarcharColumn(36, { nullable: true }) actorId!: string | null;
  @VarcharColumn(100) actorName!: string;
  @VarcharColumn(64) action!: string;
  @VarcharColumn(64) entityType!: string;
  @VarcharColumn(64) entityId!: string;
  @JsonColumn({ nullable: true }) before!: object | null;
  @JsonColumn({ nullable: true }) after!: object | null;
  @VarcharColumn(64, { nullable: true }) requestId!: string | null;
  @InstantColumn() occurredAt!: Date;
}
