import { Entity, Index, VersionColumn } from 'typeorm';
import { BoolColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';

@Entity({ name: 'users' })
@Index('uq_users_username', ['username'], { unique: true })
export class UserEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) username!: string;
  @VarcharColumn(200) displayName!: string;
  @VarcharColumn(255) passwordHash!: string;
  @VarcharColumn(32) role!: string;
  @RefColumn({ nullable: true }) partnerId!: string | null;
  @RefColumn({ nullable: true }) orgUnitId!: string | null;
  @BoolColumn() active!: boolean;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
}
