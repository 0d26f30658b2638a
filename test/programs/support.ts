import { PartnersService } from '../../src/partners/partners.service';
import { AgreementStatus, CooperationMode } from '../../src/partners/partner.enums';
import { SYSTEM_ACTOR, TestApp } from '../support/harness';

let agreementSerial = 1;

/** An agreement valid for 2026 (ACTIVE unless told otherwise). */
export async function createAgreement(
  t: TestApp,
  partnerId: string,
  options: { validFrom?: string; validTo?: string; status?: AgreementStatus } = {},
): Promise<string> {
  const partners = t.get(PartnersService);
  const agreement = await partners.createAgreement(SYSTEM_ACTOR, {
    partnerId,
    code: `AG-${agreementSerial++}`,
    title: 'Cooperation agreement',
    cooperationModes: [CooperationMode.CO_BRANDED_CARD, CooperationMode.REFERRAL],
    validFrom: options.validFrom ?? '2026-01-01',
    validTo: options.validTo ?? '2026-12-31',
    documents: [],
  });
  const status = options.status ?? AgreementStatus.ACTIVE;
  if (status !== AgreementStatus.DRAFT)
    await partners.updateAgreement(SYSTEM_ACTOR, { id: agreement.id, version: agreement.version, status });
  return agreement.id;
}

export const PROGRAM_FIELDS = `id partnerId agreementId kind nameZh status validFrom validTo version orgUnitId ownerId
  budget { amount currency formatted } targets { period newCustomers activations spend { amount } aum { amount } }`;

export const PRODUCT_FIELDS = `id programId productName level binPrefixes annualFee { amount currency } earnRate funding
  partnerShare feeWaiver { spendCountAtLeast spendAmountAtLeast { amount } withinDays }
  economics { category description amount { amount } rate trigger } version`;

export const CREATE_PROGRAM = `mutation($i: CreateProgramInput!) { createProgram(input: $i) { ${PROGRAM_FIELDS} } }`;
export const TRANSITION_PROGRAM = `mutation($i: TransitionProgramInput!) { transitionProgram(input: $i) { id status version } }`;
export const UPSERT_PRODUCT = `mutation($i: UpsertCoBrandedCardProductInput!) { upsertCoBrandedCardProduct(input: $i) { ${PRODUCT_FIELDS} } }`;
export const CREATE_CHANNEL = `mutation($i: CreateChannelInput!) { createChannel(input: $i) {
  id programId partnerId type name status trackingCode landingUrl trackedUrl qrPngPath version } }`;

export function productInput(programId: string, binPrefixes: string[], extra: Record<string, unknown> = {}) {
  return {
    programId,
    productName: '国航联名卡',
    level: 'GOLD',
    binPrefixes,
    annualFee: { amount: '200.00' },
    earnRate: '0.1',
    funding: 'SHARED',
    partnerShare: '0.4',
    feeWaiver: { spendCountAtLeast: 6 },
    economics: [
      {
        category: 'ACQUISITION_BOUNTY',
        description: 'per activated card',
        amount: { amount: '80.00' },
        trigger: 'CARD_ACTIVATED',
      },
      { category: 'INTERCHANGE_SHARE', description: 'share of interchange', rate: '0.2' },
    ],
    ...extra,
  };
}
