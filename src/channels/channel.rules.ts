import { badInput } from '../common/domain-error';
import {
  isValidTrackingCode,
  MAX_TRACKING_CODE_LENGTH,
  MIN_TRACKING_CODE_LENGTH,
  normalizeTrackingCode,
  TRACKING_ALPHABET,
} from '../common/tracking-code';

/**
 * Normalises a typed tracking code and refuses anything that is not a well-formed code with a matching check
 * character, so a typo is rejected before any lookup and can never credit another channel.
 */
export function checkTrackingCode(raw: string, field = 'code'): string {
  const code = normalizeTrackingCode(raw);
  if (code.length < MIN_TRACKING_CODE_LENGTH || code.length > MAX_TRACKING_CODE_LENGTH)
    throw badInput(field, 'INVALID_LENGTH');
  for (const ch of code) if (!TRACKING_ALPHABET.includes(ch)) throw badInput(field, 'INVALID_CHARACTER');
  if (!isValidTrackingCode(code)) throw badInput(field, 'INVALID_CHECK_CHARACTER');
  return code;
}

/** Landing pages are https only (no credentials in the URL, bounded length); returns the normalised URL. */
export function checkLandingUrl(raw: string, field = 'landingUrl'): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput(field, 'INVALID_URL');
  }
  if (url.protocol !== 'https:') throw badInput(field, 'HTTPS_REQUIRED');
  if (url.username !== '' || url.password !== '') throw badInput(field, 'CREDENTIALS_NOT_ALLOWED');
  const value = url.toString();
  if (value.length > 900) throw badInput(field, 'TOO_LONG');
  return value;
}

/** The URL a QR code or link carries: the landing page with ?gy=<trackingCode>. */
export function trackedUrl(landingUrl: string, trackingCode: string): string {
  const url = new URL(landingUrl);
  url.searchParams.set('gy', trackingCode);
  return url.toString();
}
