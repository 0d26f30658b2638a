import fc from 'fast-check';
import { DomainError } from './domain-error';
import {
  isValidLuhn,
  isValidResidentId,
  isValidUscc,
  normalizeIdDocument,
  normalizeMainlandMobile,
  normalizeResidentId,
  normalizeUscc,
  residentIdCheckChar,
  usccCheckChar,
} from './identifiers';

const TODAY = new Date('2026-03-01T00:00:00Z');

function reasonOf(fn: () => unknown): { field?: string; reason?: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { field: e.details.field, reason: e.details.reason };
    throw e;
  }
  return undefined;
}

describe('USCC (GB 32100-2015)', () => {
  it.each(['91350100M000100Y43', '91110000802100433B', '91440300708461136T'])('accepts %s', (c) => {
    expect(isValidUscc(c)).toBe(true);
  });

  it('rejects a bad check character and computes the right one', () => {
    expect(isValidUscc('913100007109272222')).toBe(false);
    expect(usccCheckChar('91310000710927222')).toBe('A');
    expect(isValidUscc('91310000710927222A')).toBe(true);
  });

  it('normalises: trim, full-width → half-width, upper-case', () => {
    expect(normalizeUscc('  ９１３５０１００ｍ０００１００ｙ４３ ')).toBe('91350100M000100Y43');
    expect(isValidUscc(' 91350100m000100y43\t')).toBe(true);
    expect(isValidUscc('９１１１００００８０２１００４３３Ｂ')).toBe(true);
  });

  it('rejects excluded letters I/O/S/V/Z (also lower-case), wrong lengths', () => {
    for (const bad of ['I', 'O', 'S', 'V', 'Z', 'i', 'o', 's', 'v', 'z']) {
      expect(isValidUscc(`91350100M000100Y4${bad}`)).toBe(false);
      expect(isValidUscc(`9135${bad}100M000100Y43`)).toBe(false);
    }
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
    expect(isValidUscc('91350100M000100Y433')).toBe(false);
    expect(isValidUscc('')).toBe(false);
  });

  it('property: computed check char always validates; any single substitution fails', () => {
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const ch = fc.constantFrom(...alphabet.split(''));
    fc.assert(
      fc.property(fc.array(ch, { minLength: 17, maxLength: 17 }), fc.nat(16), ch, (chars, pos, sub) => {
        const body = chars.join('');
        const code = body + usccCheckChar(body);
        expect(isValidUscc(code)).toBe(true);
        if (chars[pos] !== sub) {
          const mutated = code.slice(0, pos) + sub + code.slice(pos + 1);
          expect(isValidUscc(mutated)).toBe(false);
        }
      }),
    );
  });
});

describe('Resident ID (GB 11643-1999)', () => {
  it.each(['11010519491231002X', '440524188001010014', '110101199003074477'])('accepts %s', (id) => {
    expect(isValidResidentId(id, TODAY)).toBe(true);
  });

  it('accepts lower-case x and full-width input; normalises to upper-case', () => {
    expect(isValidResidentId('11010519491231002x', TODAY)).toBe(true);
    expect(normalizeResidentId(' 11010519491231002x ')).toBe('11010519491231002X');
    expect(normalizeResidentId('１１０１０５１９４９１２３１００２ｘ')).toBe('11010519491231002X');
  });

  it('check character', () => {
    expect(residentIdCheckChar('11010519491231002')).toBe('X');
    expect(residentIdCheckChar('44052418800101001')).toBe('4');
    expect(residentIdCheckChar('11010119900307447')).toBe('7');
  });

  it('rejects bad check digits, impossible and future birth dates, bad shapes', () => {
    expect(isValidResidentId('110105194912310020', TODAY)).toBe(false);
    expect(isValidResidentId('110101199003074478', TODAY)).toBe(false);
    // Feb 30 with a correct check digit
    const feb30 = '11010119900230001';
    expect(isValidResidentId(feb30 + residentIdCheckChar(feb30), TODAY)).toBe(false);
    // 2000-02-29 is real (leap year), 1900-02-29 is not
    const leap = '11010120000229001';
    expect(isValidResidentId(leap + residentIdCheckChar(leap), TODAY)).toBe(true);
    const notLeap = '11010119000229001';
    expect(isValidResidentId(notLeap + residentIdCheckChar(notLeap), TODAY)).toBe(false);
    // Born tomorrow (Shanghai date 2026-03-02 does not exist yet at TODAY)
    const future = '11010120260302001';
    expect(isValidResidentId(future + residentIdCheckChar(future), TODAY)).toBe(false);
    const born = '11010120260301001';
    expect(isValidResidentId(born + residentIdCheckChar(born), TODAY)).toBe(true);
    expect(isValidResidentId('110105491231002', TODAY)).toBe(false); // legacy 15-digit
    expect(isValidResidentId('1101051949123100XX', TODAY)).toBe(false);
    expect(isValidResidentId('', TODAY)).toBe(false);
  });
});

describe('normalizeIdDocument', () => {
  it('resident ID: normalises and reports reasons on the given field', () => {
    expect(normalizeIdDocument('RESIDENT_ID', '11010519491231002x', 'idNumber', TODAY)).toBe('11010519491231002X');
    expect(reasonOf(() => normalizeIdDocument('RESIDENT_ID', '110105194912310020', 'holderId'))).toEqual({
      field: 'holderId',
      reason: 'INVALID_CHECK_DIGIT',
    });
    expect(reasonOf(() => normalizeIdDocument('RESIDENT_ID', '12345'))).toEqual({
      field: 'idNumber',
      reason: 'INVALID_FORMAT',
    });
    expect(reasonOf(() => normalizeIdDocument('RESIDENT_ID', '  '))).toEqual({ field: 'idNumber', reason: 'REQUIRED' });
  });

  it('HK/Macao permit: H/M + 8 or 10 digits', () => {
    expect(normalizeIdDocument('HK_MACAO_PERMIT', 'h12345678')).toBe('H12345678');
    expect(normalizeIdDocument('HK_MACAO_PERMIT', 'M1234567890')).toBe('M1234567890');
    for (const bad of ['H1234567', 'H123456789', 'X12345678', '12345678', 'H12345678901']) {
      expect(reasonOf(() => normalizeIdDocument('HK_MACAO_PERMIT', bad))?.reason).toBe('INVALID_FORMAT');
    }
  });

  it('Taiwan permit: 8 digits', () => {
    expect(normalizeIdDocument('TAIWAN_PERMIT', ' 12345678 ')).toBe('12345678');
    expect(reasonOf(() => normalizeIdDocument('TAIWAN_PERMIT', '1234567'))?.reason).toBe('INVALID_FORMAT');
    expect(reasonOf(() => normalizeIdDocument('TAIWAN_PERMIT', 'T1234567'))?.reason).toBe('INVALID_FORMAT');
  });

  it('HMT residence permit: 810000/820000/830000 + resident-ID check', () => {
    for (const prefix of ['810000', '820000', '830000']) {
      const body = `${prefix}19900101001`;
      const id = body + residentIdCheckChar(body);
      expect(normalizeIdDocument('HMT_RESIDENCE_PERMIT', id, 'idNumber', TODAY)).toBe(id);
      const wrong = body + (id.endsWith('0') ? '1' : '0');
      expect(reasonOf(() => normalizeIdDocument('HMT_RESIDENCE_PERMIT', wrong, 'idNumber', TODAY))?.reason).toBe(
        'INVALID_CHECK_DIGIT',
      );
    }
    // A valid mainland ID is not a residence permit.
    expect(reasonOf(() => normalizeIdDocument('HMT_RESIDENCE_PERMIT', '110101199003074477'))?.reason).toBe(
      'INVALID_FORMAT',
    );
  });

  it('passport: 5–17 alphanumerics, upper-cased', () => {
    expect(normalizeIdDocument('PASSPORT', 'e12345678')).toBe('E12345678');
    expect(normalizeIdDocument('PASSPORT', 'AB123')).toBe('AB123');
    expect(reasonOf(() => normalizeIdDocument('PASSPORT', 'AB12'))?.reason).toBe('INVALID_FORMAT');
    expect(reasonOf(() => normalizeIdDocument('PASSPORT', 'A'.repeat(18)))?.reason).toBe('INVALID_FORMAT');
    expect(reasonOf(() => normalizeIdDocument('PASSPORT', 'E1234-5678'))?.reason).toBe('INVALID_FORMAT');
  });
});

describe('normalizeMainlandMobile', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['0086-138-0013-8000', '13800138000'],
    ['+8619912345678', '19912345678'],
    ['１３８００１３８０００', '13800138000'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeMainlandMobile(raw)).toBe(expected);
  });

  it.each(['12800138000', '1380013800', '138001380001', '+85261234567', '010-12345678', 'abc'])('rejects %s', (raw) => {
    expect(reasonOf(() => normalizeMainlandMobile(raw, 'contactPhone'))).toEqual({
      field: 'contactPhone',
      reason: 'INVALID_MOBILE',
    });
  });

  it('empty is REQUIRED', () => {
    expect(reasonOf(() => normalizeMainlandMobile('  '))).toEqual({ field: 'phone', reason: 'REQUIRED' });
  });
});

describe('isValidLuhn', () => {
  it('known card numbers', () => {
    expect(isValidLuhn('4111111111111111')).toBe(true);
    expect(isValidLuhn('79927398713')).toBe(true);
    expect(isValidLuhn('79927398710')).toBe(false);
    expect(isValidLuhn('4111 1111 1111 1111')).toBe(false);
    expect(isValidLuhn('')).toBe(false);
  });

  it('property: exactly one check digit completes any payload', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{15,18}$/), (payload) => {
        const valid = '0123456789'.split('').filter((d) => isValidLuhn(payload + d));
        expect(valid).toHaveLength(1);
      }),
    );
  });
});
