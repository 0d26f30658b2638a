import { Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, JsonColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** The key is shown once; we keep its public prefix for lookup and a SHA-256 of the whole key. */
@Entity({ name: 'api_keys' })
@Index('uq_api_keys_prefix', ['prefix'], { unique: true })
export class ApiKeyEntity {
  @IdColumn() id!: string;
  @VarcharColumn(100) name!: string;
  @VarcharColumn(16) prefix!: string;
  @VarcharColumn(64) keyHash!: string;
  @VarcharColumn(32) role!: string;
  @JsonColumn() scopes!: string[];
  @RefColumn({ nullable: true }) partnerId!: string | null;
  @RefColumn() createdById!: string;
  @InstantColumn() createdAt!: Date;
  @InstantColumn({ nullable: true }) lastUsedAt!: Date | null;
  @InstantColumn({ nullable: true }) revokedAt!: Date | null;
}
