import { residentIdCheckChar, usccCheckChar } from '../../common/identifiers';
import { Rng } from './prng';

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** A GB 11643 resident ID: address code + birth date + sequence (odd male, even female) + MOD 11-2 check. */
export function residentId(rng: Rng, addressCode: string, birthDate: string, male: boolean): string {
  let seq = rng.int(0, 499) * 2 + (male ? 1 : 0);
  if (seq > 999) seq -= 2;
  const body = `${addressCode}${birthDate.replace(/-/g, '')}${String(seq).padStart(3, '0')}`;
  return body + residentIdCheckChar(body);
}

const BIRTH_YEAR_FROM = 1958;
const BIRTH_YEARS = 48;
const SEQUENCES_PER_SEX = 500;
/** Birth dates (years 1958–2005, days 1–28 of each month) × sequence numbers per sex. */
const BIRTH_SLOTS = BIRTH_YEARS * 12 * 28 * SEQUENCES_PER_SEX;
/** Coprime to BIRTH_SLOTS (= 2^10 · 3^2 · 5^3 · 7), so `index * STRIDE mod BIRTH_SLOTS` is a permutation. */
const STRIDE = 2_654_437;

/**
 * The resident ID of person `index`, different for every index below 8,064,000 whatever the address code
 * and sex: the index is spread over birth date and sequence number by a permutation. Random draws would
 * give two people the same ID (35 at 100,000 customers, thousands at 1,000,000), and the import rightly
 * rejects the second.
 */
export function uniqueResidentId(addressCode: string, index: number, male: boolean): string {
  if (!Number.isSafeInteger(index) || index < 0 || index >= BIRTH_SLOTS)
    throw new RangeError(`person index ${index} outside 0…${BIRTH_SLOTS - 1}`);
  const slot = (index * STRIDE) % BIRTH_SLOTS;
  const day = Math.floor(slot / SEQUENCES_PER_SEX);
  const year = BIRTH_YEAR_FROM + Math.floor(day / (12 * 28));
  const month = 1 + Math.floor((day % (12 * 28)) / 28);
  const birthDate = `${year}${String(month).padStart(2, '0')}${String(1 + (day % 28)).padStart(2, '0')}`;
  const seq = (slot % SEQUENCES_PER_SEX) * 2 + (male ? 1 : 0);
  const body = `${addressCode}${birthDate}${String(seq).padStart(3, '0')}`;
  return body + residentIdCheckChar(body);
}

/** A mainland mobile: 1, then 3–9, then 9 digits. */
export function mobile(rng: Rng): string {
  return `1${rng.pick(['3', '5', '7', '8', '9'])}${rng.digits(9)}`;
}

/** A GB 32100 USCC of an enterprise (91) registered in the division `region`. */
export function uscc(rng: Rng, region: string): string {
  let org = '';
  for (let i = 0; i < 9; i++) org += USCC_ALPHABET[rng.int(0, USCC_ALPHABET.length - 1)] ?? '0';
  const body = `91${region}${org}`;
  return body + usccCheckChar(body);
}
