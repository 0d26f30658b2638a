import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../graphql/scalars';
import { CardStatus } from '../card.enums';

@ObjectType({ description: 'A co-branded card; only the masked PAN (first 6 + last 4) is known here.' })
export class Card {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => ID) programId!: string;
  @Field(() => ID) productId!: string;
  @Field(() => ID) partnerId!: string;
  @Field(() => String, { nullable: true }) maskedPan!: string | null;
  @Field(() => String, { nullable: true }) bin!: string | null;
  @Field(() => CardStatus) status!: CardStatus;
  @Field(() => Date, { nullable: true }) appliedAt!: Date | null;
  @Field(() => Date, { nullable: true }) decidedAt!: Date | null;
  @Field(() => Date, { nullable: true }) activatedAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastSpendAt!: Date | null;
  @Field(() => DateScalar, { nullable: true }) lastActivityOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) dormantSince!: string | null;
  @Field(() => Date, { nullable: true }) closedAt!: Date | null;
  @Field(() => Int) version!: number;
}

@ObjectType()
export class CardJobResult {
  @Field(() => ID) jobId!: string;
  @Field(() => Int) changed!: number;
}
