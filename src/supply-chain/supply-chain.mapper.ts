import { Money } from '../common/money';
import { MoneyModel } from '../graphql/scalars';
import { CoreEnterpriseEntity } from './entities/core-enterprise.entity';
import { DerivedLinkEntity } from './entities/derived-link.entity';
import { SupplyChainCompanyEntity } from './entities/supply-chain-company.entity';
import { SupplyChainLinkEntity } from './entities/supply-chain-link.entity';
import { maskIdentifier } from './supply-chain.access';
import { CoreEnterprise, DerivedLink, SupplyChainCompany, SupplyChainLink } from './models/supply-chain.model';
import { CandidateStatus, ChainDirection, LinkSource, LinkStatus } from './supply-chain.enums';

export function toCompany(c: SupplyChainCompanyEntity, masked: boolean): SupplyChainCompany {
  return {
    id: c.id,
    name: c.name,
    uscc: masked ? maskIdentifier(c.uscc) : c.uscc,
    externalId: masked ? maskIdentifier(c.externalId) : c.externalId,
    banked: c.customerId !== null,
    customerId: masked ? null : c.customerId,
  };
}

export function toCore(core: CoreEnterpriseEntity, company: SupplyChainCompanyEntity, masked: boolean): CoreEnterprise {
  return {
    id: core.id,
    company: toCompany(company, masked),
    partnerId: core.partnerId,
    programId: core.programId,
    orgUnitId: core.orgUnitId,
    version: core.version,
  };
}

export function money(minor: bigint, currency: string): MoneyModel {
  return MoneyModel.of(Money.ofMinor(minor, currency));
}

export function toLink(l: SupplyChainLinkEntity): SupplyChainLink {
  return {
    id: l.id,
    coreEnterpriseId: l.coreId,
    parentCompanyId: l.parentCompanyId,
    memberCompanyId: l.memberCompanyId,
    direction: l.direction as ChainDirection,
    tier: l.tier,
    annualVolume: l.annualVolume === null ? null : money(l.annualVolume, l.currency),
    since: l.since,
    source: l.source as LinkSource,
    status: l.status as LinkStatus,
    endedOn: l.endedOn,
    version: l.version,
  };
}

export function toDerived(d: DerivedLinkEntity): DerivedLink {
  return {
    id: d.id,
    coreEnterpriseId: d.coreId,
    parentCompanyId: d.parentCompanyId,
    direction: d.direction as ChainDirection,
    counterpartyUscc: d.counterpartyUscc,
    counterpartyName: d.counterpartyName,
    paymentCount: d.paymentCount,
    volume: money(d.volume, d.currency),
    status: d.status as CandidateStatus,
    linkId: d.linkId,
  };
}
