import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { BusinessDateColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/** 分润方案: attached to one program, or (programId null) to a partner for all its programs without a plan of their own. */
@Entity({ name: 'commission_plans' })
@Index('ix_commission_plans_partner', ['partnerId'])
@Index('ix_commission_plans_program', ['programId'])
export class CommissionPlanEntity {
  @IdColumn() id!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_commission_plans_partner' })
  partner?: PartnerEntity;
  @RefColumn({ nullable: true }) programId!: string | null;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_commission_plans_program' })
  program?: ProgramEntity;
  @VarcharColumn(200) name!: string;
  @VarcharColumn(16) status!: string;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** One effective-dated version; `body` is the plan codec's JSON text (rules, minimum payable). Never edited. */
@Entity({ name: 'commission_plan_versions' })
@Index('uq_commission_plan_versions_number', ['planId', 'versionNumber'], { unique: true })
export class CommissionPlanVersionEntity {
  @IdColumn() id!: string;
  @RefColumn() planId!: string;
  @ManyToOne(() => CommissionPlanEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'plan_id', foreignKeyConstraintName: 'fk_commission_plan_versions_plan' })
  plan?: CommissionPlanEntity;
  @Column({ type: 'integer' }) versionNumber!: number;
  @BusinessDateColumn() effectiveFrom!: string;
  @Column({ type: 'text' }) body!: string;
  @RefColumn({ nullable: true }) createdById!: string | null;
  @InstantColumn() createdAt!: Date;
}
