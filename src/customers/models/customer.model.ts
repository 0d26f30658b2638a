import { Field, GraphQLISODateTime, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../graphql/connection';
import { DateScalar, MoneyModel } from '../../graphql/scalars';
import { CustomerEventType } from '../../programs/customer-event-type';
import {
  CorporateSize,
  CustomerStatus,
  CustomerType,
  EventRowStatus,
  IdDocumentTypeEnum,
  UpsertOutcome,
} from '../customer.enums';

@ObjectType('Customer', {
  description: '客户. Identity numbers and phones exist here only masked; names are masked for partner users.',
})
export class Customer {
  @Field(() => ID) id!: string;
  @Field() customerNumber!: string;
  @Field(() => CustomerType) type!: CustomerType;
  @Field({ description: 'Masked (surname only) for partner users' }) name!: string;
  @Field({ description: 'True when name is shown masked' }) nameMasked!: boolean;
  @Field(() => IdDocumentTypeEnum, { nullable: true }) idType!: IdDocumentTypeEnum | null;
  @Field(() => String, { nullable: true, description: 'e.g. 110105********002X' }) idNumberMasked!: string | null;
  @Field(() => String, { nullable: true, description: 'e.g. 138****5678' }) phoneMasked!: string | null;
  @Field(() => String, { nullable: true }) uscc!: string | null;
  @Field(() => String, { nullable: true }) industry!: string | null;
  @Field(() => CorporateSize, { nullable: true }) size!: CorporateSize | null;
  @Field(() => ID) orgUnitId!: string;
  @Field(() => DateScalar) onboardedOn!: string;
  @Field(() => CustomerStatus) status!: CustomerStatus;
  @Field(() => Int) version!: number;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

export const CustomerConnection = Connection(Customer, 'Customer');

@ObjectType('UpsertCustomerPayload')
export class UpsertCustomerPayload {
  @Field(() => Customer) customer!: Customer;
  @Field(() => UpsertOutcome) outcome!: UpsertOutcome;
}

@ObjectType('CustomerEvent', { description: '客户事件: a fact reported by the bank’s systems' })
export class CustomerEvent {
  @Field(() => ID) id!: string;
  @Field() eventId!: string;
  @Field(() => ID) customerId!: string;
  @Field(() => CustomerEventType) type!: CustomerEventType;
  @Field(() => GraphQLISODateTime) occurredAt!: Date;
  @Field(() => DateScalar, { description: 'occurredAt in the bank’s time zone' }) businessDate!: string;
  @Field(() => String, { nullable: true }) productCode!: string | null;
  @Field(() => ID, { nullable: true }) programId!: string | null;
  @Field(() => String, { nullable: true }) cardRef!: string | null;
  @Field(() => String, { nullable: true }) merchantCategory!: string | null;
  @Field(() => String, { nullable: true }) counterpartyUscc!: string | null;
  @Field(() => String, { nullable: true }) counterpartyName!: string | null;
  @Field(() => String, { nullable: true }) employerUscc!: string | null;
  @Field(() => MoneyModel, { nullable: true }) amount!: MoneyModel | null;
  @Field(() => GraphQLISODateTime) recordedAt!: Date;
}

export const CustomerEventConnection = Connection(CustomerEvent, 'CustomerEvent');

@ObjectType('CustomerEventRowReport', { description: 'What happened to one submitted event' })
export class CustomerEventRowReport {
  @Field(() => Int, { description: 'Position in the submitted list (0-based)' }) index!: number;
  @Field(() => EventRowStatus) status!: EventRowStatus;
  @Field(() => String, { nullable: true }) field!: string | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true, description: 'The stored event (new, or the earlier one for a duplicate)' })
  eventId!: string | null;
}

@ObjectType('RecordCustomerEventsPayload')
export class RecordCustomerEventsPayload {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [CustomerEventRowReport]) rows!: CustomerEventRowReport[];
}
