import { CustomerEventType } from '../../programs/customer-event-type';
import { CardStatus } from '../card.enums';
import { CardFoldEvent, foldCardEvents, parseCardRef } from './card-fold';

const ev = (type: CustomerEventType, day: string, id: string): CardFoldEvent => ({
  type,
  occurredAt: new Date(`${day}T02:00:00Z`),
  businessDate: day,
  id,
  ref: null,
});

describe('card fold', () => {
  it('parses PANs (Luhn) and masked PANs, and ignores other references', () => {
    expect(parseCardRef('6225 8800 0000 0001')).toEqual({ maskedPan: '622588******0001', bin: '622588' });
    expect(() => parseCardRef('6225880000000002')).toThrow();
    expect(parseCardRef('622588******1234')).toEqual({ maskedPan: '622588******1234', bin: '622588' });
    expect(parseCardRef('CARD-1')).toBeNull();
    expect(parseCardRef(null)).toBeNull();
  });

  it('gives the same state for any arrival order', () => {
    const events = [
      ev(CustomerEventType.CARD_APPLIED, '2026-01-01', 'a'),
      ev(CustomerEventType.CARD_APPROVED, '2026-01-02', 'b'),
      ev(CustomerEventType.CARD_ACTIVATED, '2026-01-03', 'c'),
      ev(CustomerEventType.CARD_SPEND, '2026-01-09', 'd'),
    ];
    const forward = foldCardEvents(events);
    expect(forward).toMatchObject({ status: CardStatus.ACTIVATED, lastActivityOn: '2026-01-09' });
    expect(foldCardEvents([...events].reverse())).toEqual(forward);
    expect(foldCardEvents([...events, ev(CustomerEventType.CARD_CLOSED, '2026-02-01', 'e')]).status).toBe(
      CardStatus.CLOSED,
    );
    expect(
      foldCardEvents([
        ev(CustomerEventType.CARD_APPLIED, '2026-01-01', 'a'),
        ev(CustomerEventType.CARD_DECLINED, '2026-01-02', 'b'),
      ]).status,
    ).toBe(CardStatus.DECLINED);
  });
});
