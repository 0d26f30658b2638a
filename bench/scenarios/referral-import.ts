import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR_FOR_BENCH } from '../system-actor';
import { benchAgreement, benchPartner, benchReferralProgram } from '../fixtures';
import { BenchContext, BenchRow, Scenario, benchInt, emptyTable, mb, withPeakRss } from '../harness';
import { insertRaw, rawReferralOf } from '../raw-insert';
import { residentIdCheckChar } from '../../src/common/identifiers';
import { ChannelsService } from '../../src/channels/channels.service';
import { ChannelType } from '../../src/channels/channel.enums';
import { CustomerImportsService } from '../../src/customers/customer-imports.service';
import { OrgUnitsService } from '../../src/org-units/org-units.service';
import { CooperationMode, PartnerKind } from '../../src/partners/partner.enums';
import { ProgramsService } from '../../src/programs/programs.service';
import { AttributionModel, AttributionScope, ProgramStatus } from '../../src/programs/program.enums';
import { ReferralEntity } from '../../src/referrals/entities/referral.entity';
import { ReferralImportsService } from '../../src/referrals/referral-imports.service';

const PARTNERS = 4;
const PROGRAMS_PER_PARTNER = 2;
const CHANNELS_PER_PROGRAM = 2;
const WINDOW_DAYS = 30;
const FIRST_DAY_MS = Date.UTC(2026, 0, 1);
const SPAN_DAYS = 300;

interface BenchChannel {
  id: string;
  trackingCode: string;
  partnerId: string;
  programId: string;
  orgUnitId: string;
}

interface GeneratedReferral {
  trackingCode?: string;
  channelId?: string;
  idempotencyKey: string;
  idType?: string;
  idNumber?: string;
  phone?: string;
  name: string;
  product?: string;
  submittedAt: string;
}

/** A valid resident ID per person number (distinct birth date + sequence up to 15M people). */
function residentId(n: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + (n % 15_000) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `110105${birth}${String(Math.floor(n / 15_000) % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

const phoneOf = (n: number): string => `13${String(n % 1_000_000_000).padStart(9, '0')}`;

/** Customer numbers 0..customers-1 are existing customers; referral-only prospects start after them. */
function personOf(i: number, customers: number): number {
  return i % 5 === 0 ? (i / 5) % customers : customers + i;
}

/**
 * The i-th line, deterministic: mostly fresh prospects (a fifth of them existing customers), with a
 * realistic identity mix (ID + phone, ID only, phone only, passport) and, in fixed proportions, the
 * same prospect referred again by the same partner inside the window (DUPLICATE), an exact replay of
 * an earlier line (EXISTING), an earlier key with another payload (CONFLICT) and an unreadable phone.
 */
function referralAt(i: number, total: number, customers: number, channels: readonly BenchChannel[]): GeneratedReferral {
  if (i >= 5 && i % 97 === 41) return referralAt(i - 5, total, customers, channels);
  if (i >= 5 && i % 199 === 83) return { ...referralAt(i - 5, total, customers, channels), phone: phoneOf(7e8 + i) };
  const again = i >= 3 && i % 20 === 7;
  const base = again ? i - 3 : i;
  const person = personOf(base, customers);
  const channel = channels[(base * 7) % channels.length];
  if (!channel) throw new Error('no channel');
  const ms = FIRST_DAY_MS + Math.floor((base * SPAN_DAYS * 86_400_000) / total) + (again ? 2 * 86_400_000 : 0);
  const kind = base % 10;
  const row: GeneratedReferral = {
    ...(i % 10 === 3 ? { channelId: channel.id } : { trackingCode: channel.trackingCode }),
    idempotencyKey: `BR-${i}`,
    name: `客户${person}`,
    submittedAt: new Date(ms + (i % 600) * 60_000).toISOString(),
  };
  if (kind <= 6) {
    row.idType = 'RESIDENT_ID';
    row.idNumber = residentId(person);
    if (kind !== 6) row.phone = phoneOf(person);
  } else if (kind <= 8) row.phone = phoneOf(person);
  else {
    row.idType = 'PASSPORT';
    row.idNumber = `E${String(10_000_000 + (person % 90_000_000))}`;
    row.phone = phoneOf(person);
  }
  if (i % 3 === 0) row.product = `CARD-${i % 4}`;
  if (i % 250 === 17) row.phone = '1360000';
  return row;
}

function* ndjson(total: number, customers: number, channels: readonly BenchChannel[]): Generator<string> {
  for (let start = 0; start < total; start += 1000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(total, start + 1000); i++)
      lines.push(JSON.stringify(referralAt(i, total, customers, channels)));
    yield `${lines.join('\n')}\n`;
  }
}

function* customerNdjson(customers: number, orgUnitId: string): Generator<string> {
  for (let c = 0; c < customers; c++)
    yield `${JSON.stringify({
      customerNumber: `RC-${c}`,
      type: 'INDIVIDUAL',
      name: `客户${c}`,
      idType: 'RESIDENT_ID',
      idNumber: residentId(c),
      phone: phoneOf(c),
      orgUnitId,
    })}\n`;
}

/**
 * The baseline: the same lines as stored referrals (hashed and masked the same way, every line its own
 * SUBMITTED row under a line-unique key, no lookups, history or audit), 1,000 per INSERT and transaction.
 */
function rawInsert(
  ds: DataSource,
  ctx: BenchContext,
  total: number,
  customers: number,
  channels: readonly BenchChannel[],
): Promise<number> {
  const byCode = new Map(channels.map((c) => [c.trackingCode, c]));
  const byId = new Map(channels.map((c) => [c.id, c]));
  const options = {
    identityHashKey: ctx.config.identityHashKey,
    timeZone: ctx.config.bankTimeZone,
    windowDays: WINDOW_DAYS,
    submittedById: SYSTEM_ACTOR_FOR_BENCH.id,
    now: new Date(),
  };
  function* rows(): Generator<ReferralEntity> {
    for (let i = 0; i < total; i++) {
      const g = referralAt(i, total, customers, channels);
      const channel = (g.trackingCode ? byCode.get(g.trackingCode) : byId.get(g.channelId ?? '')) as BenchChannel;
      yield rawReferralOf(
        { ...g, idempotencyKey: `${g.idempotencyKey}#${i}`, phone: g.phone === '1360000' ? phoneOf(i) : g.phone },
        channel,
        options,
      );
    }
  }
  return insertRaw(ds, ReferralEntity, rows());
}

/**
 * Every stored outcome with generated ids replaced by stable names (referral → idempotency key, channel →
 * its index, hash → order of first appearance): status, duplicate-of, window, hashes, masks, the first status change, plus the job's report
 * rows and the audit count. Equal digests before and after a change to the intake mean no outcome moved.
 */
async function outcomeDigest(ds: DataSource, jobId: string, channels: readonly BenchChannel[]): Promise<string> {
  const referrals = await ds.query<Record<string, unknown>[]>(
    `SELECT id, idempotency_key, idempotency_scope, status, status_reason, duplicate_of_id, submitted_at, submitted_on,
            expires_on, id_type, identity_hash, phone_hash, masked_name, masked_id_number, masked_phone, product_code,
            channel_id, reached_rank, version, submitted_by_id
     FROM referrals ORDER BY idempotency_key`,
  );
  const keyOf = new Map(referrals.map((r) => [String(r.id), String(r.idempotency_key)]));
  const channelIndex = new Map(channels.map((c, i) => [c.id, i]));
  const history = await ds.query<Record<string, unknown>[]>(
    'SELECT referral_id, from_status, to_status, reason, actor_id FROM referral_status_changes',
  );
  const report = await ds.query<Record<string, unknown>[]>(
    'SELECT line, status, field, reason, ref FROM job_report_rows WHERE job_id = ? ORDER BY line',
    [jobId],
  );
  const [audit] = await ds.query<{ n: unknown }[]>(
    "SELECT COUNT(*) AS n FROM audit_records WHERE action = 'referral.submit'",
  );
  const hash = createHash('sha256');
  // BENCH_REFERRAL_IMPORT_DUMP=<file> writes what is hashed, to diff two runs whose digests differ.
  const dump = process.env.BENCH_REFERRAL_IMPORT_DUMP;
  const lines: string[] = [];
  const update = (line: string): void => {
    hash.update(line);
    if (dump) lines.push(line);
  };
  // Hashes become their order of first appearance: the key is random per run outside SQLite.
  const ordinal = new Map<unknown, number>();
  const ord = (h: unknown): number | null => {
    if (h === null) return null;
    if (!ordinal.has(h)) ordinal.set(h, ordinal.size);
    return ordinal.get(h) ?? null;
  };
  for (const r of referrals) {
    const {
      id: _id,
      duplicate_of_id: dup,
      channel_id: channel,
      submitted_at: at,
      identity_hash,
      phone_hash,
      ...rest
    } = r;
    update(
      JSON.stringify([
        rest,
        ord(identity_hash),
        ord(phone_hash),
        typeof dup === 'string' ? keyOf.get(dup) : null,
        channelIndex.get(String(channel)),
        new Date(at instanceof Date ? at : `${String(at).replace(' ', 'T')}Z`).toISOString(),
      ]),
    );
  }
  const changes = history
    .map((h) => JSON.stringify([keyOf.get(String(h.referral_id)), h.from_status, h.to_status, h.reason, h.actor_id]))
    .sort();
  for (const h of changes) update(h);
  for (const r of report) {
    const ref = typeof r.ref === 'string' ? (keyOf.get(r.ref) ?? r.ref) : null;
    update(JSON.stringify([Number(r.line), r.status, r.field, r.reason, ref]));
  }
  update(`${changes.length}|${String(audit?.n)}`);
  if (dump) writeFileSync(dump, `${lines.join('\n')}\n`);
  return hash.digest('hex').slice(0, 16);
}

async function setUpChannels(ctx: BenchContext, orgUnitId: string): Promise<BenchChannel[]> {
  const programs = ctx.app.get(ProgramsService);
  const channelsService = ctx.app.get(ChannelsService);
  const channels: BenchChannel[] = [];
  for (let i = 0; i < PARTNERS; i++) {
    const p = await benchPartner(ctx.app, {
      code: `RI-${i}`,
      kind: PartnerKind.ECOMMERCE,
      nameZh: `导入合作机构${i}`,
      usccSerial: 80000 + i,
      orgUnitId: orgUnitId,
    });
    const a = await benchAgreement(ctx.app, {
      partnerId: p.id,
      code: `RIA-${i}`,
      mode: CooperationMode.REFERRAL,
    });
    for (let g = 0; g < PROGRAMS_PER_PARTNER; g++) {
      const program = await benchReferralProgram(ctx.app, {
        agreementId: a.id,
        nameZh: `推荐${g}`,
        rule: {
          effectiveFrom: '2025-01-01',
          windowDays: WINDOW_DAYS,
          model: AttributionModel.FIRST_TOUCH,
          scope: AttributionScope.NEW_TO_BANK,
          precedenceRank: 1,
        },
      });
      await programs.transitionProgram(SYSTEM_ACTOR_FOR_BENCH, { id: program.id, to: ProgramStatus.ACTIVE });
      for (let c = 0; c < CHANNELS_PER_PROGRAM; c++) {
        const ch = await channelsService.create(SYSTEM_ACTOR_FOR_BENCH, {
          programId: program.id,
          type: c === 0 ? ChannelType.PARTNER_API : ChannelType.QR_CODE,
          name: `渠道${g}-${c}`,
          landingUrl: 'https://card.example.cn/apply',
        });
        channels.push({
          id: ch.id,
          trackingCode: ch.trackingCode,
          partnerId: p.id,
          programId: program.id,
          orgUnitId: program.orgUnitId,
        });
      }
    }
  }
  return channels;
}

export const referralImport: Scenario = {
  name: 'referral-import',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const total = benchInt('BENCH_REFERRAL_IMPORT_ROWS', 50_000);
    const customers = Math.max(1, Math.floor(total / 10));
    const ds = ctx.app.get(DataSource);
    const head = await ctx.app.get(OrgUnitsService).create(SYSTEM_ACTOR_FOR_BENCH, { code: 'HO', name: 'Head office' });
    const channels = await setUpChannels(ctx, head.id);
    const customerJob = await ctx.app
      .get(CustomerImportsService)
      .importCustomersFromStream(Readable.from(customerNdjson(customers, head.id)), 'NDJSON', SYSTEM_ACTOR_FOR_BENCH);
    if ((customerJob.result as { created?: number } | null)?.created !== customers)
      throw new Error(`customer setup failed: ${JSON.stringify(customerJob.result)}`);

    // Baseline first, into the empty table; then emptied again for the import.
    const t0 = performance.now();
    const raw = await withPeakRss(() => rawInsert(ds, ctx, total, customers, channels));
    const rawMs = performance.now() - t0;
    await emptyTable(ds, ReferralEntity);

    const t1 = performance.now();
    const imported = await withPeakRss(() =>
      ctx.app
        .get(ReferralImportsService)
        .importFromStream(Readable.from(ndjson(total, customers, channels)), 'NDJSON', SYSTEM_ACTOR_FOR_BENCH),
    );
    const importMs = performance.now() - t1;
    const job = imported.value;
    const result = job.result as { processed?: number; created?: number; duplicates?: number } | null;
    if (job.status !== 'SUCCEEDED' || result?.processed !== total)
      throw new Error(`import did not process every row: ${job.status} ${job.error ?? ''} ${JSON.stringify(result)}`);
    const digest = await outcomeDigest(ds, job.id, channels);
    process.stderr.write(`referral-import: ${JSON.stringify(result)} digest ${digest}\n`);

    const importRate = (total * 1000) / importMs;
    const rawRate = (total * 1000) / rawMs;
    const share = importRate / rawRate;
    const label = `referral-import (${ctx.dbLabel}, ${total.toLocaleString('en')} lines, ${channels.length} channels, ${customers.toLocaleString('en')} existing customers)`;
    return [
      {
        scenario: label,
        metric: 'rows/s (import job vs raw multi-row INSERT of 1,000)',
        gongying: `${importRate.toFixed(0)} (${(importMs / 1000).toFixed(1)} s)`,
        baseline: `${rawRate.toFixed(0)} (${(rawMs / 1000).toFixed(1)} s)`,
        ratio: `${(share * 100).toFixed(0)}% of raw`,
      },
      {
        scenario: label,
        metric: 'outcomes (created / duplicates / existing / rejected), digest',
        gongying: `${String(result.created)} / ${String(result.duplicates)} / ${String((result as { existing?: number }).existing)} / ${String((result as { rejected?: number }).rejected)}, ${digest}`,
        baseline: '—',
        ratio: '—',
      },
      {
        scenario: label,
        metric: 'peak RSS (start → peak)',
        gongying: `${mb(imported.start)} → ${mb(imported.peak)}`,
        baseline: `${mb(raw.start)} → ${mb(raw.peak)}`,
        ratio: `+${mb(imported.peak - imported.start)} vs +${mb(raw.peak - raw.start)}`,
      },
    ];
  },
};
