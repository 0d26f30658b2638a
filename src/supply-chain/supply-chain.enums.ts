import { registerEnumType } from '@nestjs/graphql';

/** UPSTREAM = suppliers (上游), DOWNSTREAM = distributors and dealers (下游). */
export enum ChainDirection {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
}
registerEnumType(ChainDirection, { name: 'ChainDirection' });

export enum ChainDirectionFilter {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}
registerEnumType(ChainDirectionFilter, { name: 'ChainDirectionFilter' });

export enum LinkSource {
  DECLARED = 'DECLARED',
  DERIVED = 'DERIVED',
  MANUAL = 'MANUAL',
}
registerEnumType(LinkSource, { name: 'SupplyChainLinkSource' });

export enum LinkStatus {
  ACTIVE = 'ACTIVE',
  ENDED = 'ENDED',
}
registerEnumType(LinkStatus, { name: 'SupplyChainLinkStatus' });

export enum CandidateStatus {
  PROPOSED = 'PROPOSED',
  CONFIRMED = 'CONFIRMED',
  DISMISSED = 'DISMISSED',
}
registerEnumType(CandidateStatus, { name: 'DerivedLinkStatus' });

export enum ProspectStage {
  IDENTIFIED = 'IDENTIFIED',
  CONTACTED = 'CONTACTED',
  IN_NEGOTIATION = 'IN_NEGOTIATION',
  ONBOARDED = 'ONBOARDED',
  LOST = 'LOST',
}
registerEnumType(ProspectStage, { name: 'ProspectStage' });

/** IDENTIFIED → CONTACTED → IN_NEGOTIATION → ONBOARDED | LOST; any open stage may be LOST. */
export const PROSPECT_TRANSITIONS: Readonly<Record<ProspectStage, readonly ProspectStage[]>> = {
  [ProspectStage.IDENTIFIED]: [ProspectStage.CONTACTED, ProspectStage.LOST],
  [ProspectStage.CONTACTED]: [ProspectStage.IN_NEGOTIATION, ProspectStage.LOST],
  [ProspectStage.IN_NEGOTIATION]: [ProspectStage.ONBOARDED, ProspectStage.LOST],
  [ProspectStage.ONBOARDED]: [],
  [ProspectStage.LOST]: [],
};

export enum ImportRowStatus {
  CREATED = 'CREATED',
  SKIPPED = 'SKIPPED',
  REJECTED = 'REJECTED',
}
registerEnumType(ImportRowStatus, { name: 'SupplyChainImportRowStatus' });

export enum EdgeFileFormat {
  CSV = 'CSV',
  XLSX = 'XLSX',
}
registerEnumType(EdgeFileFormat, { name: 'EdgeFileFormat' });

export const MAX_TIER = 5;
export const TOUCH_SOURCE = 'SUPPLY_CHAIN';
