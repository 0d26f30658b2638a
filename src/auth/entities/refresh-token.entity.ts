import { Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** Only the SHA-256 of a refresh token is stored; a token is single-use and belongs to a rotation family. */
@Entity({ name: 'refresh_tokens' })
@Index('uq_refresh_tokens_hash', ['tokenHash'], { unique: true })
@Index('ix_refresh_tokens_family', ['familyId'])
@Index('ix_refresh_tokens_user', ['userId'])
export class RefreshTokenEntity {
  @IdColumn() id!: string;
  @RefColumn() userId!: string;
  @RefColumn() familyId!: string;
  @VarcharColumn(64) tokenHash!: string;
  @InstantColumn() expiresAt!: Date;
  @InstantColumn({ nullable: true }) usedAt!: Date | null;
  @InstantColumn({ nullable: true }) revokedAt!: Date | null;
  @InstantColumn() createdAt!: Date;
}
