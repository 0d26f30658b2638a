import { DomainError, badInput, conflict, forbidden, notFound, unauthenticated } from './domain-error';

describe('DomainError helpers', () => {
  it('badInput carries field and reason', () => {
    const e = badInput('uscc', 'INVALID_CHECK_DIGIT');
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.details).toEqual({ field: 'uscc', reason: 'INVALID_CHECK_DIGIT' });
    expect(e.message).toContain('uscc');
    expect(badInput('a', 'b', 'custom').message).toBe('custom');
  });

  it('notFound, conflict, forbidden, unauthenticated', () => {
    expect(notFound('Partner', 'p1')).toMatchObject({ code: 'NOT_FOUND', details: { entity: 'Partner', id: 'p1' } });
    const c = conflict('UNIQUE_USCC', 'dup', { constraint: 'uq_partner_uscc' });
    expect(c).toMatchObject({
      code: 'CONFLICT',
      message: 'dup',
      details: { rule: 'UNIQUE_USCC', constraint: 'uq_partner_uscc' },
    });
    expect(forbidden().code).toBe('FORBIDDEN');
    expect(unauthenticated('x')).toMatchObject({ code: 'UNAUTHENTICATED', message: 'x' });
    expect(new DomainError('INTERNAL_SERVER_ERROR', 'boom').details).toEqual({});
    expect(forbidden().name).toBe('DomainError');
  });
});
