import { createHmac } from 'node:crypto';
import { hmacIdentity, identityHash, maskEmail, maskIdNumber, maskName, maskPan, maskPhone, phoneHash } from './pii';

const KEY = 'test-key';

describe('keyed hashing', () => {
  it('hmacIdentity is HMAC-SHA256 hex', () => {
    expect(hmacIdentity(KEY, 'abc')).toBe(createHmac('sha256', KEY).update('abc').digest('hex'));
    expect(hmacIdentity(KEY, 'abc')).toMatch(/^[0-9a-f]{64}$/);
    expect(hmacIdentity('other', 'abc')).not.toBe(hmacIdentity(KEY, 'abc'));
    expect(() => hmacIdentity('', 'abc')).toThrow();
  });

  it('identityHash separates document types; phoneHash separates phones', () => {
    const n = '12345678';
    expect(identityHash(KEY, 'TAIWAN_PERMIT', n)).not.toBe(identityHash(KEY, 'PASSPORT', n));
    expect(identityHash(KEY, 'PASSPORT', n)).toBe(hmacIdentity(KEY, 'PASSPORT:12345678'));
    expect(phoneHash(KEY, '13800138000')).toBe(hmacIdentity(KEY, 'PHONE:13800138000'));
    expect(phoneHash(KEY, '13800138000')).not.toBe(identityHash(KEY, 'PASSPORT', '13800138000'));
  });
});

describe('masking', () => {
  it('ID numbers', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
    expect(maskIdNumber('H12345678')).toBe('H1*****78');
    expect(maskIdNumber('12345678')).toBe('12****78');
    expect(maskIdNumber('1234')).toBe('****');
  });

  it('phones', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('123')).toBe('***');
  });

  it('names', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('王小明')).toBe('王**');
    expect(maskName('欧阳娜娜')).toBe('欧阳**');
    expect(maskName('司马相如')).toBe('司马**');
    expect(maskName('诸葛亮')).toBe('诸葛*');
    expect(maskName('欧阳')).toBe('欧*'); // two characters: surname 欧, given name 阳
    expect(maskName(' 李 ')).toBe('*');
    expect(maskName('John Smith')).toBe('J***');
    expect(maskName('  alice ')).toBe('a***');
    expect(maskName('')).toBe('');
  });

  it('PANs and e-mail', () => {
    expect(maskPan('6222021234567890123')).toBe('622202*********0123');
    expect(maskPan('4111 1111 1111 1111')).toBe('411111******1111');
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
    expect(maskEmail('not-an-email')).toBe('***');
  });
});
