import { INestApplication } from '@nestjs/common';
import { demoUscc } from '../src/demo/foundation-demo';
import { AgreementStatus, CooperationMode, PartnerKind } from '../src/partners/partner.enums';
import { PartnersService } from '../src/partners/partners.service';
import { SetProgramAttributionRuleInput } from '../src/programs/dto/program.inputs';
import { ProgramKind } from '../src/programs/program.enums';
import { ProgramsService } from '../src/programs/programs.service';
import { SYSTEM_ACTOR_FOR_BENCH } from './system-actor';

type Partner = Awaited<ReturnType<PartnersService['create']>>;
type Agreement = Awaited<ReturnType<PartnersService['createAgreement']>>;

/** A partner as the bench scenarios set them up: no contacts or qualifications, USCC from a demo serial. */
export function benchPartner(
  app: INestApplication,
  spec: { code: string; kind: PartnerKind; nameZh: string; usccSerial: number; orgUnitId: string },
): Promise<Partner> {
  return app.get(PartnersService).create(SYSTEM_ACTOR_FOR_BENCH, {
    code: spec.code,
    kind: spec.kind,
    nameZh: spec.nameZh,
    uscc: demoUscc(spec.usccSerial),
    orgUnitId: spec.orgUnitId,
    relatedParty: false,
    blacklisted: false,
    contacts: [],
    qualifications: [],
  });
}

/** One agreement of a partner for one cooperation mode, valid to 2027, made ACTIVE unless `active: false`. */
export async function benchAgreement(
  app: INestApplication,
  spec: { partnerId: string; code: string; mode: CooperationMode; validFrom?: string; active?: boolean },
): Promise<Agreement> {
  const partners = app.get(PartnersService);
  const agreement = await partners.createAgreement(SYSTEM_ACTOR_FOR_BENCH, {
    partnerId: spec.partnerId,
    code: spec.code,
    title: 'bench',
    cooperationModes: [spec.mode],
    validFrom: spec.validFrom ?? '2025-01-01',
    validTo: '2027-12-31',
    documents: [],
  });
  if (spec.active === false) return agreement;
  await partners.updateAgreement(SYSTEM_ACTOR_FOR_BENCH, {
    id: agreement.id,
    version: agreement.version,
    status: AgreementStatus.ACTIVE,
  });
  return agreement;
}

type Program = Awaited<ReturnType<ProgramsService['createProgram']>>;

/** A REFERRAL program under an agreement with its attribution rule (left in DRAFT; scenarios activate it). */
export async function benchReferralProgram(
  app: INestApplication,
  spec: { agreementId: string; nameZh: string; rule: Omit<SetProgramAttributionRuleInput, 'programId'> },
): Promise<Program> {
  const programs = app.get(ProgramsService);
  const program = await programs.createProgram(SYSTEM_ACTOR_FOR_BENCH, {
    agreementId: spec.agreementId,
    kind: ProgramKind.REFERRAL,
    nameZh: spec.nameZh,
    targets: [],
  });
  await programs.setAttributionRule(SYSTEM_ACTOR_FOR_BENCH, { ...spec.rule, programId: program.id });
  return program;
}
