import { Column, Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import {
  BoolColumn,
  BusinessDateColumn,
  IdColumn,
  InstantColumn,
  JsonColumn,
  RefColumn,
  VarcharColumn,
} from '../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/** 归因: one decision per (customer, product key), replaced when a re-run decides differently. */
@Entity({ name: 'attributions' })
@Index('uq_attributions_customer_product', ['customerId', 'productKey'], { unique: true })
@Index('ix_attributions_converted', ['convertedOn'])
export class AttributionEntity {
  @IdColumn() id!: string;
  @RefColumn() customerId!: string;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_attributions_customer' })
  customer?: CustomerEntity;
  @VarcharColumn(64) productKey!: string;
  @InstantColumn() convertedAt!: Date;
  @BusinessDateColumn() convertedOn!: string;
  @VarcharColumn(64) conversionEventId!: string;
  /** Winners with shares and qualification, the rules that judged them (snapshot). */
  @JsonColumn() ruleSnapshot!: Record<string, string | number | boolean | null | object>;
  @Column({ type: 'text' }) reason!: string;
  @InstantColumn() decidedAt!: Date;
  @VarcharColumn(64) inputsHash!: string;
  @BoolColumn() overridden!: boolean;
  @RefColumn({ nullable: true }) overriddenById!: string | null;
  @VarcharColumn(500, { nullable: true }) overrideReason!: string | null;
  @InstantColumn({ nullable: true }) overriddenAt!: Date | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}

/** Every touch that competed for a decision, with its outcome; WON rows carry share and qualification. */
@Entity({ name: 'attribution_touches' })
@Index('ix_attribution_touches_attribution', ['attributionId'])
@Index('ix_attribution_touches_partner_customer', ['partnerId', 'outcome', 'customerId', 'convertedOn'])
@Index('ix_attribution_touches_program', ['programId', 'outcome', 'customerId'])
@Index('ix_attribution_touches_customer_partner', ['customerId', 'outcome', 'partnerId', 'convertedOn', 'programId'])
@Index('ix_attribution_touches_referral', ['referralId'])
export class AttributionTouchEntity {
  @IdColumn() id!: string;
  @RefColumn() attributionId!: string;
  @ManyToOne(() => AttributionEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'attribution_id', foreignKeyConstraintName: 'fk_attribution_touches_attribution' })
  attribution?: AttributionEntity;
  @RefColumn() customerId!: string;
  @VarcharColumn(64) productKey!: string;
  @BusinessDateColumn() convertedOn!: string;
  @VarcharColumn(20) source!: string;
  @VarcharColumn(64) sourceRef!: string;
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_attribution_touches_partner' })
  partner?: PartnerEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_attribution_touches_program' })
  program?: ProgramEntity;
  @RefColumn({ nullable: true }) channelId!: string | null;
  @RefColumn({ nullable: true }) referralId!: string | null;
  @InstantColumn() touchedAt!: Date;
  @BusinessDateColumn() touchedOn!: string;
  @Column({ type: 'integer', nullable: true }) rank!: number | null;
  @Column({ type: 'integer', nullable: true }) ruleVersion!: number | null;
  @VarcharColumn(20) outcome!: string;
  @VarcharColumn(32, { nullable: true }) share!: string | null;
  @VarcharColumn(16, { nullable: true }) qualificationStatus!: string | null;
  @InstantColumn({ nullable: true }) qualifiedAt!: Date | null;
  @BusinessDateColumn({ nullable: true }) qualifiedOn!: string | null;
  @JsonColumn({ nullable: true }) qualifyingEvents!: string[] | null;
}
