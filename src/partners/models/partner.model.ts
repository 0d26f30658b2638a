import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { DateScalar } from '../../graphql/scalars';
import {
  AgreementStatus,
  CooperationMode,
  PartnerKind,
  PartnerStatus,
  PartnerTier,
  RiskRating,
} from '../partner.enums';

@ObjectType('PartnerQualification', {
  description: 'A licence or qualification; `expired` is computed against today in the bank’s time zone.',
})
export class PartnerQualification {
  @Field() type!: string;
  @Field() number!: string;
  @Field(() => DateScalar, { nullable: true }) expiresOn!: string | null;
  @Field() expired!: boolean;
}

@ObjectType('PartnerContact', { description: 'Phone and e-mail are masked unless the caller manages this partner.' })
export class PartnerContact {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) role!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true }) email!: string | null;
  @Field() masked!: boolean;
}

@ObjectType('Partner', { description: '合作机构: an institution the bank cooperates with.' })
export class Partner {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field(() => PartnerKind) kind!: PartnerKind;
  @Field() nameZh!: string;
  @Field(() => String, { nullable: true }) nameEn!: string | null;
  @Field(() => String, { nullable: true, description: 'Unified social credit code (统一社会信用代码)' }) uscc!:
    string | null;
  @Field(() => PartnerStatus) status!: PartnerStatus;
  @Field(() => ID) orgUnitId!: string;
  @Field(() => ID, { nullable: true }) relationshipManagerId!: string | null;
  @Field(() => PartnerTier, { nullable: true }) tier!: PartnerTier | null;
  @Field(() => RiskRating, { nullable: true }) riskRating!: RiskRating | null;
  @Field() relatedParty!: boolean;
  @Field() blacklisted!: boolean;
  @Field(() => String, { nullable: true }) blacklistReason!: string | null;
  @Field(() => Int, { description: 'Send back on update; a stale version is refused with CONFLICT' }) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('AgreementDocument')
export class AgreementDocument {
  @Field() name!: string;
  @Field() uri!: string;
  @Field(() => String, { nullable: true }) sha256!: string | null;
}

@ObjectType('Agreement', { description: '合作协议: the signed terms with a partner.' })
export class Agreement {
  @Field(() => ID) id!: string;
  @Field(() => ID) partnerId!: string;
  @Field() code!: string;
  @Field() title!: string;
  @Field(() => [CooperationMode]) cooperationModes!: CooperationMode[];
  @Field(() => DateScalar, { nullable: true }) signedOn!: string | null;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar) validTo!: string;
  @Field(() => AgreementStatus) status!: AgreementStatus;
  @Field(() => [AgreementDocument]) documents!: AgreementDocument[];
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
  /** Internal: where the owning partner sits, for object-level checks in field resolvers. */
  partnerOrgUnitId?: string;
}
