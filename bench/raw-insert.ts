import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { addDays, businessDateOf } from '../src/common/business-time';
import { hmacIdentity } from '../src/common/pii';
import { newId } from '../src/database/columns';
import { ReferralEntity } from '../src/referrals/entities/referral.entity';
import { LADDER_RANK, ReferralStatus } from '../src/referrals/referral.enums';
import { hashProspect, payloadHashOf, ProspectFields } from '../src/referrals/rules/prospect';

/** 1,000 rows × 29 columns (referrals, the widest) stays under SQLite's 32,766 parameters. */
export const RAW_BATCH = 1000;

/**
 * The baselines' write: hand-written multi-row INSERTs of `batch` rows, one transaction each, straight to the
 * driver (values converted as TypeORM would store them, nothing else: no look-ups, listeners, history or audit).
 */
export async function insertRaw<T extends ObjectLiteral>(
  ds: DataSource,
  target: EntityTarget<T>,
  rows: Iterable<T> | AsyncIterable<T>,
  batch = RAW_BATCH,
): Promise<number> {
  const meta = ds.getMetadata(target);
  const columns = meta.columns;
  const head = `INSERT INTO ${ds.driver.escape(meta.tableName)} (${columns.map((c) => ds.driver.escape(c.databaseName)).join(', ')}) VALUES `;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const runner = ds.createQueryRunner();
  let written = 0;
  const flush = async (params: unknown[], count: number): Promise<void> => {
    await runner.startTransaction();
    await runner.query(head + new Array(count).fill(tuple).join(', '), params);
    await runner.commitTransaction();
    written += count;
  };
  try {
    let params: unknown[] = [];
    let count = 0;
    for await (const row of rows) {
      for (const c of columns) params.push(ds.driver.preparePersistentValue(c.getEntityValue(row, true), c));
      count++;
      if (count === batch) {
        await flush(params, count);
        params = [];
        count = 0;
      }
    }
    if (count > 0) await flush(params, count);
  } finally {
    await runner.release();
  }
  return written;
}

/** Where a raw referral goes: its channel, and the program's partner and org unit. */
export interface RawReferralChannel {
  id: string;
  partnerId: string;
  programId: string;
  orgUnitId: string;
}

/** One submitted line of a referral file, as the baselines read it. */
export interface RawReferralLine extends ProspectFields {
  idempotencyKey: string;
  product?: string;
  submittedAt: string;
}

/**
 * A line as the stored SUBMITTED referral the intake would write (hashed, masked and windowed the same way),
 * without the intake's look-ups: no idempotency or DUPLICATE check, status history or audit.
 */
export function rawReferralOf(
  line: RawReferralLine,
  channel: RawReferralChannel,
  options: { identityHashKey: string; timeZone: string; windowDays: number; submittedById: string; now: Date },
): ReferralEntity {
  const prospect = hashProspect(
    { idType: line.idType, idNumber: line.idNumber, phone: line.phone, name: line.name },
    options.identityHashKey,
    options.now,
  );
  const submittedAt = new Date(line.submittedAt);
  const submittedOn = businessDateOf(submittedAt, options.timeZone);
  return {
    id: newId(),
    partnerId: channel.partnerId,
    programId: channel.programId,
    channelId: channel.id,
    orgUnitId: channel.orgUnitId,
    idempotencyKey: line.idempotencyKey,
    idempotencyScope: options.submittedById,
    payloadHash: payloadHashOf({
      channelId: channel.id,
      prospect,
      nameKey: hmacIdentity(options.identityHashKey, `NAME:${line.name}`),
      productCode: line.product ?? null,
      submittedAt: submittedAt.toISOString(),
    }),
    idType: prospect.idType,
    identityHash: prospect.identityHash,
    phoneHash: prospect.phoneHash,
    maskedName: prospect.maskedName,
    maskedIdNumber: prospect.maskedIdNumber,
    maskedPhone: prospect.maskedPhone,
    productCode: line.product ?? null,
    submittedAt,
    submittedOn,
    expiresOn: addDays(submittedOn, options.windowDays),
    status: ReferralStatus.SUBMITTED,
    statusReason: null,
    reachedRank: LADDER_RANK[ReferralStatus.SUBMITTED],
    duplicateOfId: null,
    customerId: null,
    convertedAt: null,
    qualifiedAt: null,
    submittedById: options.submittedById,
    version: 1,
    createdAt: options.now,
    updatedAt: options.now,
  };
}
