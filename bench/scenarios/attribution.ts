import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { benchAgreement, benchPartner, benchReferralProgram } from '../fixtures';
import { BenchContext, BenchRow, Scenario, benchInt, ratio } from '../harness';
import { AttributionService } from '../../src/attribution/attribution.service';
import { AttributionEntity, AttributionTouchEntity } from '../../src/attribution/entities/attribution.entity';
import { attributeCustomer, EventFact, RuleLookup, Touch } from '../../src/attribution/rules/attribution-rules';
import { CustomerEventEntity } from '../../src/customers/entities/customer-event.entity';
import { CustomerEntity } from '../../src/customers/entities/customer.entity';
import { newId } from '../../src/database/columns';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { CooperationMode, PartnerKind } from '../../src/partners/partner.enums';
import { AttributionModel, AttributionScope } from '../../src/programs/program.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { parseAttributionRule } from '../../src/programs/rules/program-rules';
import { ReferralEntity } from '../../src/referrals/entities/referral.entity';

const CHUNK = 200;

async function insertChunked<T extends object>(ds: DataSource, entity: new () => T, rows: T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await ds.getRepository(entity).insert(rows.slice(i, i + CHUNK));
}

/**
 * The naive way, for comparison: per customer, one query for the customer, one for its referrals, one for
 * its events, then one INSERT per decision and per touch (same pure decision function, same rules).
 */
async function naive(ds: DataSource, customerIds: readonly string[], ruleOf: RuleLookup): Promise<number> {
  let rows = 0;
  for (const id of customerIds) {
    const c = await ds.getRepository(CustomerEntity).findOneByOrFail({ id });
    const refs = await ds.getRepository(ReferralEntity).findBy({ identityHash: c.identityHash ?? '' });
    const events = await ds.getRepository(CustomerEventEntity).findBy({ customerId: id });
    const touches: Touch[] = refs.map((r) => ({
      ref: r.id,
      source: 'REFERRAL',
      partnerId: r.partnerId,
      programId: r.programId,
      channelId: r.channelId,
      referralId: r.id,
      touchedAt: r.submittedAt,
      touchedOn: r.submittedOn,
      productHint: null,
    }));
    const facts: EventFact[] = events.map((e) => ({ ...e }));
    for (const d of attributeCustomer({ onboardedOn: c.onboardedOn, events: facts }, touches, ruleOf)) {
      const now = new Date();
      const a: AttributionEntity = {
        id: newId(),
        customerId: id,
        productKey: d.productKey,
        convertedAt: d.conversion.occurredAt,
        convertedOn: d.conversion.businessDate,
        conversionEventId: d.conversion.externalId,
        ruleSnapshot: {},
        reason: d.reason,
        decidedAt: now,
        inputsHash: 'naive',
        overridden: false,
        overriddenById: null,
        overrideReason: null,
        overriddenAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await ds.getRepository(AttributionEntity).insert(a);
      for (const j of d.touches)
        await ds.getRepository(AttributionTouchEntity).insert({
          id: newId(),
          attributionId: a.id,
          customerId: id,
          productKey: d.productKey,
          convertedOn: a.convertedOn,
          source: j.touch.source,
          sourceRef: j.touch.ref,
          partnerId: j.touch.partnerId,
          programId: j.touch.programId,
          channelId: null,
          referralId: j.touch.referralId,
          touchedAt: j.touch.touchedAt,
          touchedOn: j.touch.touchedOn,
          rank: j.rank,
          ruleVersion: j.ruleVersion,
          outcome: j.outcome,
          share: j.share,
          qualificationStatus: null,
          qualifiedAt: null,
          qualifiedOn: null,
          qualifyingEvents: null,
        });
      rows++;
    }
  }
  return rows;
}

/**
 * Three referral partners, each with one program whose attribution rules compete (NEW_TO_BANK, 30 days,
 * FIRST_TOUCH but LAST_TOUCH for the second, precedence 1–3): the set-up of both attribution scenarios.
 */
export async function competingReferralPrograms(
  ctx: BenchContext,
  orgUnitId: string,
  naming: { code: string; nameZh: string; usccSerial: number },
): Promise<{ partnerIds: string[]; programIds: string[] }> {
  const out = { partnerIds: [] as string[], programIds: [] as string[] };
  for (let p = 0; p < 3; p++) {
    const partner = await benchPartner(ctx.app, {
      code: `${naming.code}P-${p}`,
      kind: PartnerKind.ECOMMERCE,
      nameZh: `${naming.nameZh}${p}`,
      usccSerial: naming.usccSerial + p,
      orgUnitId,
    });
    const agreement = await benchAgreement(ctx.app, {
      partnerId: partner.id,
      code: `${naming.code}A-${p}`,
      mode: CooperationMode.REFERRAL,
      active: false,
    });
    const program = await benchReferralProgram(ctx.app, {
      agreementId: agreement.id,
      nameZh: `推荐${p}`,
      rule: {
        effectiveFrom: '2026-01-01',
        windowDays: 30,
        model: p === 1 ? AttributionModel.LAST_TOUCH : AttributionModel.FIRST_TOUCH,
        scope: AttributionScope.NEW_TO_BANK,
        precedenceRank: p + 1,
      },
    });
    out.partnerIds.push(partner.id);
    out.programIds.push(program.id);
  }
  return out;
}

export const attribution: Scenario = {
  name: 'attribution',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const customers = benchInt('BENCH_ATTR_CUSTOMERS', 20_000);
    const referrals = benchInt('BENCH_ATTR_REFERRALS', 60_000);
    const ds = ctx.app.get(DataSource);
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const programs = ctx.app.get(ProgramsService);
    const { programIds, partnerIds } = await competingReferralPrograms(ctx, head.id, {
      code: 'A',
      nameZh: '归因基准',
      usccSerial: 70000,
    });

    // Fixtures written directly in bulk (this measures attribution, not imports).
    const now = new Date();
    const hashOf = (i: number): string => createHash('sha256').update(`bench-${i}`).digest('hex');
    const customerRows: CustomerEntity[] = [];
    const eventRows: CustomerEventEntity[] = [];
    for (let i = 0; i < customers; i++) {
      const id = newId();
      customerRows.push({
        id,
        customerNumber: `BC${String(i).padStart(9, '0')}`,
        type: 'INDIVIDUAL',
        name: '客户',
        idType: 'RESIDENT_ID',
        identityHash: hashOf(i),
        idNumberMasked: '110101********0000',
        phoneHash: null,
        phoneMasked: null,
        uscc: null,
        industry: null,
        size: null,
        orgUnitId: head.id,
        onboardedOn: '2026-03-01',
        status: 'ACTIVE',
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      eventRows.push({
        id: newId(),
        externalId: `BE${String(i).padStart(9, '0')}`,
        customerId: id,
        type: 'ACCOUNT_OPENED',
        occurredAt: new Date('2026-03-01T02:00:00Z'),
        businessDate: '2026-03-01',
        productCode: null,
        programId: null,
        cardRef: null,
        merchantCategory: null,
        counterpartyUscc: null,
        counterpartyName: null,
        employerUscc: null,
        amount: null,
        currency: null,
        recordedAt: now,
      });
    }
    await insertChunked(ds, CustomerEntity, customerRows);
    await insertChunked(ds, CustomerEventEntity, eventRows);
    const referralRows: ReferralEntity[] = [];
    for (let i = 0; i < referrals; i++) {
      const p = i % 3;
      // Two thirds match a customer; the rest are prospects who never became customers.
      const target = i % 3 === 2 && i % 2 === 0 ? customers + i : Math.floor(i / 3) % customers;
      const at = new Date(Date.UTC(2026, 1, 1 + (i % 27), 2));
      referralRows.push({
        id: newId(),
        partnerId: partnerIds[p] as string,
        programId: programIds[p] as string,
        channelId: null,
        orgUnitId: head.id,
        idempotencyKey: `bench-${i}`,
        idempotencyScope: 'bench',
        payloadHash: hashOf(-i - 1),
        idType: 'RESIDENT_ID',
        identityHash: hashOf(target),
        phoneHash: null,
        maskedName: '客*',
        maskedIdNumber: null,
        maskedPhone: null,
        productCode: null,
        submittedAt: at,
        submittedOn: at.toISOString().slice(0, 10),
        expiresOn: '2026-04-30',
        status: 'SUBMITTED',
        statusReason: null,
        reachedRank: 0,
        duplicateOfId: null,
        customerId: null,
        convertedAt: null,
        qualifiedAt: null,
        submittedById: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    }
    await insertChunked(ds, ReferralEntity, referralRows);
    const ids = customerRows.map((c) => c.id);

    // Naive baseline on a sample (it is slow), then cleared so the engine starts from the same state.
    const sample = ids.slice(0, Math.min(ids.length, benchInt('BENCH_ATTR_NAIVE_SAMPLE', 2_000)));
    const rules = new Map(
      (await programs.ruleVersionsOf(programIds)).map((r) => [
        r.programId,
        { version: r.version, rule: parseAttributionRule(r.body) },
      ]),
    );
    const ruleOf: RuleLookup = (programId) => rules.get(programId) ?? null;
    const n0 = performance.now();
    const naiveRows = await naive(ds, sample, ruleOf);
    const naiveMs = performance.now() - n0;
    await ds.getRepository(AttributionTouchEntity).createQueryBuilder().delete().execute();
    await ds.getRepository(AttributionEntity).createQueryBuilder().delete().execute();

    const engine = ctx.app.get(AttributionService);
    const g0 = performance.now();
    const summary = await engine.attributeCustomers(ids);
    const engineMs = performance.now() - g0;
    const decisions = await ds.getRepository(AttributionEntity).count();

    const engineRate = (decisions / engineMs) * 1000;
    const naiveRate = (naiveRows / naiveMs) * 1000;
    const label = `${customers.toLocaleString('en')} new customers × ${referrals.toLocaleString('en')} referrals, 3 programs (${ctx.dbLabel})`;
    return [
      {
        scenario: label,
        metric: 'attribution decisions/s (incl. touches, referral outcomes, audit)',
        gongying: `${engineRate.toFixed(0)} rows/s (${decisions} decisions for ${summary.customers} customers in ${(engineMs / 1000).toFixed(1)} s)`,
        baseline: `${naiveRate.toFixed(0)} rows/s (naive: 3 queries + 1 insert per row, ${sample.length} customers, no audit/outcomes)`,
        ratio: ratio(engineRate, naiveRate),
      },
    ];
  },
};
