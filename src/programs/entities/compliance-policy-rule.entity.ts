import { Entity, Index } from 'typeorm';
import { IdColumn, InstantColumn, VarcharColumn } from '../../database/columns';

/** A category of co-branded card economics that may not be agreed with a partner kind (null = every kind). */
@Entity({ name: 'compliance_policy_rules' })
@Index('uq_compliance_policy_rules_code', ['code'], { unique: true })
@Index('ix_compliance_policy_rules_category', ['category'])
export class CompliancePolicyRuleEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) code!: string;
  @VarcharColumn(40) category!: string;
  @VarcharColumn(40, { nullable: true }) partnerKind!: string | null;
  @VarcharColumn(500) reason!: string;
  @InstantColumn() createdAt!: Date;
}
