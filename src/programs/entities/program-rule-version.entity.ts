import { Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import {
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { ProgramEntity } from './program.entity';

/** One effective-dated version of a program's attribution or qualification rule; never edited, only superseded. */
@Entity({ name: 'program_rule_versions' })
@Index('uq_program_rule_versions_version', ['programId', 'kind', 'version'], { unique: true })
export class ProgramRuleVersionEntity {
  @IdColumn() id!: string;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_program_rule_versions_program' })
  program?: ProgramEntity;
  @VarcharColumn(20) kind!: string;
  @Column({ type: 'integer' }) version!: number;
  @BusinessDateColumn() effectiveFrom!: string;
  @JsonColumn() body!: Record<string, string | number | boolean | null | object>;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @InstantColumn() createdAt!: Date;
}
