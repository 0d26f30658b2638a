import { Actor } from '../auth/actor';
import { Money } from '../common/money';
import { maskName } from '../common/pii';
import { MoneyModel } from '../graphql/scalars';
import { CustomerEventType } from '../programs/customer-event-type';
import { CorporateSize, CustomerStatus, CustomerType, IdDocumentTypeEnum } from './customer.enums';
import { CustomerEventEntity } from './entities/customer-event.entity';
import { CustomerEntity } from './entities/customer.entity';
import { Customer, CustomerEvent } from './models/customer.model';

/** Partner users (and partner-bound API keys) see a person's name masked; corporate names are public. */
export function namesMaskedFor(actor: Actor): boolean {
  return actor.partnerId !== null;
}

export function toCustomer(e: CustomerEntity, actor: Actor): Customer {
  const mask = namesMaskedFor(actor) && e.type === (CustomerType.INDIVIDUAL as string);
  return {
    id: e.id,
    customerNumber: e.customerNumber,
    type: e.type as CustomerType,
    name: mask ? maskName(e.name) : e.name,
    nameMasked: mask,
    idType: e.idType as IdDocumentTypeEnum | null,
    idNumberMasked: e.idNumberMasked,
    phoneMasked: e.phoneMasked,
    uscc: e.uscc,
    industry: e.industry,
    size: e.size as CorporateSize | null,
    orgUnitId: e.orgUnitId,
    onboardedOn: e.onboardedOn,
    status: e.status as CustomerStatus,
    version: e.version,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function toCustomerEvent(e: CustomerEventEntity): CustomerEvent {
  return {
    id: e.id,
    eventId: e.externalId,
    customerId: e.customerId,
    type: e.type as CustomerEventType,
    occurredAt: e.occurredAt,
    businessDate: e.businessDate,
    productCode: e.productCode,
    programId: e.programId,
    cardRef: e.cardRef,
    merchantCategory: e.merchantCategory,
    counterpartyUscc: e.counterpartyUscc,
    counterpartyName: e.counterpartyName,
    employerUscc: e.employerUscc,
    amount: e.amount !== null && e.currency !== null ? MoneyModel.of(Money.ofMinor(e.amount, e.currency)) : null,
    recordedAt: e.recordedAt,
  };
}
