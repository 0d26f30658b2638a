import { Entity, Index, JoinColumn, ManyToOne, VersionColumn } from 'typeorm';
import { BusinessDateColumn, IdColumn, InstantColumn, RefColumn, VarcharColumn } from '../../database/columns';
import { CustomerEntity } from '../../customers/entities/customer.entity';
import { PartnerEntity } from '../../partners/entities/partner.entity';
import { CoBrandedCardProductEntity } from '../../programs/entities/co-branded-card-product.entity';
import { ProgramEntity } from '../../programs/entities/program.entity';

/** One co-branded card of a customer (one per customer per program product); only the masked PAN is kept. */
@Entity({ name: 'cards' })
@Index('uq_cards_customer_product', ['customerId', 'productId'], { unique: true })
@Index('ix_cards_program', ['programId'])
@Index('ix_cards_partner', ['partnerId'])
@Index('ix_cards_status_activity', ['status', 'lastActivityOn'])
export class CardEntity {
  @IdColumn() id!: string;
  @RefColumn() customerId!: string;
  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_cards_customer' })
  customer?: CustomerEntity;
  @RefColumn() programId!: string;
  @ManyToOne(() => ProgramEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'program_id', foreignKeyConstraintName: 'fk_cards_program' })
  program?: ProgramEntity;
  @RefColumn() productId!: string;
  @ManyToOne(() => CoBrandedCardProductEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'fk_cards_product' })
  product?: CoBrandedCardProductEntity;
  /** Denormalised from the program so card queries are scoped like partners. */
  @RefColumn() partnerId!: string;
  @ManyToOne(() => PartnerEntity, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'partner_id', foreignKeyConstraintName: 'fk_cards_partner' })
  partner?: PartnerEntity;
  /** First 6 + last 4 (622588******1234); the full PAN belongs to the card system. */
  @VarcharColumn(19, { nullable: true }) maskedPan!: string | null;
  @VarcharColumn(8, { nullable: true }) bin!: string | null;
  @VarcharColumn(16) status!: string;
  @InstantColumn({ nullable: true }) appliedAt!: Date | null;
  @InstantColumn({ nullable: true }) decidedAt!: Date | null;
  @InstantColumn({ nullable: true }) activatedAt!: Date | null;
  @InstantColumn({ nullable: true }) lastSpendAt!: Date | null;
  /** Business date of the last activation or spend: dormancy is measured from it. */
  @BusinessDateColumn({ nullable: true }) lastActivityOn!: string | null;
  @BusinessDateColumn({ nullable: true }) dormantSince!: string | null;
  @InstantColumn({ nullable: true }) closedAt!: Date | null;
  @VersionColumn() version!: number;
  @InstantColumn() createdAt!: Date;
  @InstantColumn() updatedAt!: Date;
}
