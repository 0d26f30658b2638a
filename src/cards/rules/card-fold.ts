import { badInput } from '../../common/domain-error';
import { isValidLuhn } from '../../common/identifiers';
import { maskPan } from '../../common/pii';
import { CustomerEventType } from '../../programs/customer-event-type';
import { CardStatus } from '../card.enums';

export const CARD_EVENT_TYPES: readonly CustomerEventType[] = [
  CustomerEventType.CARD_APPLIED,
  CustomerEventType.CARD_APPROVED,
  CustomerEventType.CARD_DECLINED,
  CustomerEventType.CARD_ACTIVATED,
  CustomerEventType.CARD_SPEND,
  CustomerEventType.CARD_CLOSED,
];

export interface CardRef {
  maskedPan: string;
  bin: string;
}

const MASKED_RE = /^(\d{6})[*xX]{3,9}(\d{4})$/;

/**
 * A card reference from an event: a full PAN (16–19 digits, Luhn-checked, masked at once) or an already
 * masked PAN (first 6 + last 4). Anything else is no PAN (null). A PAN failing Luhn is BAD_USER_INPUT.
 */
export function parseCardRef(raw: string | null): CardRef | null {
  if (raw === null) return null;
  const s = raw.replace(/[\s-]/g, '');
  if (/^\d{16,19}$/.test(s)) {
    if (!isValidLuhn(s)) throw badInput('cardRef', 'INVALID_PAN');
    return { maskedPan: maskPan(s), bin: s.slice(0, 6) };
  }
  const m = MASKED_RE.exec(s);
  if (m) return { maskedPan: s.toUpperCase().replace(/X/g, '*'), bin: m[1] ?? '' };
  return null;
}

export interface CardFoldEvent {
  type: CustomerEventType;
  occurredAt: Date;
  businessDate: string;
  id: string;
  ref: CardRef | null;
}

export interface CardState {
  status: CardStatus | null;
  maskedPan: string | null;
  bin: string | null;
  appliedAt: Date | null;
  decidedAt: Date | null;
  activatedAt: Date | null;
  lastSpendAt: Date | null;
  lastActivityOn: string | null;
  closedAt: Date | null;
}

const later = (a: string | null, b: string): string => (a === null || b > a ? b : a);

/**
 * The card's state from its events, in occurrence order whatever the arrival order (so late events fold in
 * the same way). Transitions that make no sense from the current state are ignored. DORMANT is not an event:
 * markDormantCards sets it, and a later spend or activation clears it. `from` continues a fold: the state
 * after earlier events, all of which occurred before these.
 */
export function foldCardEvents(events: readonly CardFoldEvent[], from?: CardState): CardState {
  const s: CardState = from
    ? { ...from }
    : {
        status: null,
        maskedPan: null,
        bin: null,
        appliedAt: null,
        decidedAt: null,
        activatedAt: null,
        lastSpendAt: null,
        lastActivityOn: null,
        closedAt: null,
      };
  const sorted = [...events].sort(
    (a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id.localeCompare(b.id),
  );
  for (const e of sorted) {
    if (e.ref) {
      s.maskedPan = e.ref.maskedPan;
      s.bin = e.ref.bin;
    }
    const st = s.status;
    switch (e.type) {
      case CustomerEventType.CARD_APPLIED:
        if (st === null || st === CardStatus.DECLINED) {
          s.status = CardStatus.APPLIED;
          s.appliedAt = e.occurredAt;
          s.decidedAt = null;
        }
        break;
      case CustomerEventType.CARD_APPROVED:
        if (st === null || st === CardStatus.APPLIED) {
          s.status = CardStatus.APPROVED;
          s.decidedAt = e.occurredAt;
        }
        break;
      case CustomerEventType.CARD_DECLINED:
        if (st === null || st === CardStatus.APPLIED) {
          s.status = CardStatus.DECLINED;
          s.decidedAt = e.occurredAt;
        }
        break;
      case CustomerEventType.CARD_ACTIVATED:
        if (st === null || st === CardStatus.APPLIED || st === CardStatus.APPROVED) {
          s.status = CardStatus.ACTIVATED;
          s.activatedAt = e.occurredAt;
          s.lastActivityOn = later(s.lastActivityOn, e.businessDate);
        }
        break;
      case CustomerEventType.CARD_SPEND:
        if (st === CardStatus.CLOSED || st === CardStatus.DECLINED) break;
        if (st === null || st === CardStatus.APPLIED || st === CardStatus.APPROVED) {
          s.status = CardStatus.ACTIVATED;
          s.activatedAt = s.activatedAt ?? e.occurredAt;
        }
        s.lastSpendAt = e.occurredAt;
        s.lastActivityOn = later(s.lastActivityOn, e.businessDate);
        break;
      case CustomerEventType.CARD_CLOSED:
        if (st !== null && st !== CardStatus.CLOSED) {
          s.status = CardStatus.CLOSED;
          s.closedAt = e.occurredAt;
        }
        break;
      default:
        break;
    }
  }
  return s;
}
