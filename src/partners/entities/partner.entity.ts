import { Entity, Index, VersionColumn } from 'typeorm';
import { BoolColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';

@Entity({ name: 'partners' })
@Index('uq_partners_code', ['code'], { unique: true })
@Index('uq_partners_uscc', ['uscc'], { unique: true })
@Index('ix_partners_org_unit', ['orgUnitId'])
@Index('ix_partners_status', ['status'])
@Index('ix_partners_kind', ['kind'])
export class PartnerEntity {
  @IdColumn() id!: string;
  @VarcharColumn(32) code!: string;
  @VarcharColumn(40) kind!: string;
  @VarcharColumn(200) nameZh!: string;
  @VarcharColumn(200, { nullable: true }) nameEn!: string | null;
  @VarcharColumn(18, { nullable: true }) uscc!: string | null;
  @VarcharColumn(20) status!: string;
  @RefColumn() orgUnitId!: string;
  @RefColumn({ nullable: true }) relationshipManagerId!: string | null;
  @VarcharColumn(20, { nullable: true }) tier!: string | null;
  @VarcharColumn(20, { nullable: true }) riskRating!: string | null;
  @BoolColumn() relatedParty!: boolean;
  @BoolColumn() blacklisted!: boolean;
  @VarcharColumn(500, { nullable: true }) blacklistReason!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
