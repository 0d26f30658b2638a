import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelType } from '../../src/channels/channel.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { AttributionModel, AttributionScope, ProgramKind, ProgramStatus } from '../../src/programs/program.enums';
import { SYSTEM_ACTOR, TestApp } from '../support/harness';
import { createAgreement } from '../programs/support';

/** A REFERRAL program under a fresh agreement, ACTIVE unless told otherwise, with a 30-day window rule. */
export async function referralProgram(
  t: TestApp,
  partnerId: string,
  options: { status?: ProgramStatus; windowDays?: number } = {},
): Promise<string> {
  const programs = t.get(ProgramsService);
  const agreementId = await createAgreement(t, partnerId);
  const program = await programs.createProgram(SYSTEM_ACTOR, {
    agreementId,
    kind: ProgramKind.REFERRAL,
    nameZh: '推荐计划',
    targets: [],
  });
  await programs.setAttributionRule(SYSTEM_ACTOR, {
    programId: program.id,
    effectiveFrom: '2026-01-01',
    windowDays: options.windowDays ?? 30,
    model: AttributionModel.FIRST_TOUCH,
    scope: AttributionScope.NEW_TO_BANK,
    precedenceRank: 1,
  });
  if ((options.status ?? ProgramStatus.ACTIVE) === ProgramStatus.ACTIVE)
    await programs.transitionProgram(SYSTEM_ACTOR, { id: program.id, to: ProgramStatus.ACTIVE });
  return program.id;
}

export async function channel(t: TestApp, programId: string): Promise<{ id: string; trackingCode: string }> {
  const c = await t.get(ChannelsService).create(SYSTEM_ACTOR, {
    programId,
    type: ChannelType.PARTNER_API,
    name: '合作方接口',
    landingUrl: 'https://card.example.cn/apply',
  });
  return { id: c.id, trackingCode: c.trackingCode };
}

export const SUBMIT = `mutation($i: SubmitReferralInput!) { submitReferral(input: $i) {
  id partnerId programId channelId status statusReason duplicateOfId maskedName maskedIdNumber maskedPhone idType
  submittedOn expiresOn version productCode } }`;

export interface ReferralData {
  id: string;
  partnerId: string;
  programId: string;
  channelId: string;
  status: string;
  statusReason: string | null;
  duplicateOfId: string | null;
  maskedName: string;
  maskedIdNumber: string | null;
  maskedPhone: string | null;
  idType: string | null;
  submittedOn: string;
  expiresOn: string;
  version: number;
  productCode: string | null;
}
