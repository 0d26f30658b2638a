import { Column, Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';

/** Head office → branches → sub-branches. `path` ("/<id>/<id>/") makes a subtree one LIKE-prefix query. */
@Entity({ name: 'org_units' })
@Index('uq_org_units_code', ['code'], { unique: true })
@Index('ix_org_units_path', ['path'])
export class OrgUnitEntity {
  @IdColumn() id!: string;
  @VarcharColumn(32) code!: string;
  @VarcharColumn(200) name!: string;
  @RefColumn({ nullable: true }) parentId!: string | null;
  @VarcharColumn(400) path!: string;
  @Column({ type: 'integer' }) level!: number;
  @InstantColumn() createdAt!: Date;
}
