import { AuthError, InputError, ManilaApiError, TransportError } from '../../../lib/errors';
import { isOutage, outageDelayMs, OutageWatch } from '../../../lib/apply/outage';
import { durationFlag } from '../../../lib/cli/flags';

const P = { pollIntervalMs: 2_000, maxPollIntervalMs: 60_000, outageLimitMs: 600_000 };
const down = new TransportError('MP_CONNECTION', { operation: 'get share server S', request: 'GET /v2/share-servers/S', detail: 'ECONNREFUSED', outcomeUnknown: false });

describe('what counts as an outage', () => {
  test.each([
    ['no answer', down, true],
    ['Manila 503', new ManilaApiError({ status: 503, manilaMessage: 'down', operation: 'x', request: 'GET /x' }), true],
    ['Manila 401 after a renewed token', new ManilaApiError({ status: 401, manilaMessage: 'no', operation: 'x', request: 'GET /x' }), true],
    ['Keystone 503', new AuthError('MP_AUTH_ERROR', 'Keystone answered 503', 'h', { status: 503 }), true],
    ['Manila 409 (the request is wrong, not Manila away)', new ManilaApiError({ status: 409, manilaMessage: 'state', operation: 'x', request: 'GET /x' }), false],
    ['Keystone refusing the credentials', new AuthError('MP_AUTH_FAILED', 'refused', 'h', { status: 401 }), false],
    ['a bad flag', new InputError('MP_FLAG_INVALID', 'm', 'h'), false],
  ])('%s: %s', (_n, e, want) => expect(isOutage(e)).toBe(want));
});

describe('OutageWatch', () => {
  test('backoff doubles from the poll interval and stops at the longest poll interval', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 50].map((n) => outageDelayMs(n, P))).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test('an outage begins at the first failed read, ends at the first good one, and measures from the last one seen', () => {
    const w = new OutageWatch(0, P);
    w.ok(10_000);
    const first = w.failed(20_000, down, () => [{ key: 'k', server: 'S', phase: 'phase1' }]);
    expect(first.begun).toMatchObject({ lastSeenAt: new Date(10_000).toISOString(), since: new Date(20_000).toISOString(), failedReads: 1, error: { code: 'MP_CONNECTION' } });
    expect(w.failed(30_000, down, () => []).begun).toBeUndefined();
    expect(w.active).toBe(true);
    const ended = w.ok(190_000)!;
    expect(ended).toMatchObject({ seconds: 180, failedReads: 2, endedAt: new Date(190_000).toISOString(), waiting: [{ key: 'k', phase: 'phase1' }] });
    expect(w.active).toBe(false);
    expect(w.ok(200_000)).toBeUndefined();
  });

  test('past the limit, counted from the last good read, the step says stop', () => {
    const w = new OutageWatch(0, P);
    expect(w.failed(300_000, down, () => []).overLimit).toBeUndefined();
    expect(w.failed(600_001, down, () => []).overLimit).toMatchObject({ seconds: 600, lastSeenAt: new Date(0).toISOString() });
  });
});

describe('--outage-limit', () => {
  test.each([
    ['60m', 3_600_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['120', 120_000],
  ])('%s is %i ms', (v, ms) => expect(durationFlag(v, '--outage-limit')).toBe(ms));
  test.each(['', '0m', '5x', '-1m', '1m5'])('%j is refused with an example', (v) => {
    expect(() => durationFlag(v, '--outage-limit')).toThrow(/--outage-limit must be a positive duration such as 90s, 5m or 1h30m|--outage-limit must be a positive number of seconds/);
  });
});
