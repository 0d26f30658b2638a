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
