import { completionText, windowAt, windowProblem } from '../../../lib/plan/window';

const at = (iso: string) => Date.parse(iso);

describe('maintenance windows', () => {
  const w = { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' };

  test('closed on a weekday: the next window is Saturday 02:00 Berlin time (01:00 UTC in winter), for two hours', () => {
    const s = windowAt(w, at('2026-12-01T12:00:00Z'));
    expect(s).toEqual({ open: false, opensAt: at('2026-12-05T01:00:00Z'), closesAt: at('2026-12-05T03:00:00Z') });
  });

  test('open inside the window, until it closes', () => {
    expect(windowAt(w, at('2026-12-05T02:59:59Z'))).toEqual({ open: true, opensAt: at('2026-12-05T01:00:00Z'), closesAt: at('2026-12-05T03:00:00Z') });
  });

  test('open at its first instant, closed at its end', () => {
    expect(windowAt(w, at('2026-12-05T01:00:00Z')).open).toBe(true);
    expect(windowAt(w, at('2026-12-05T03:00:00Z'))).toMatchObject({ open: false, opensAt: at('2026-12-12T01:00:00Z') });
  });

  test('the zone defaults to UTC', () => {
    expect(windowAt({ cron: '30 4 * * *', durationMinutes: 10 }, at('2026-12-01T04:35:00Z'))).toEqual({ open: true, opensAt: at('2026-12-01T04:30:00Z'), closesAt: at('2026-12-01T04:40:00Z') });
  });

  test.each([
    ['a schedule croner cannot read', { cron: '61 2 * * *', durationMinutes: 60 }, /.+/],
    ['a six-field schedule', { cron: '0 0 2 * * SAT', durationMinutes: 60 }, /five-field/],
    ['a duration of 0', { cron: '0 2 * * SAT', durationMinutes: 0 }, /durationMinutes 0/],
    ['a fractional duration', { cron: '0 2 * * SAT', durationMinutes: 1.5 }, /whole number/],
    ['an unknown time zone', { cron: '0 2 * * SAT', durationMinutes: 60, timezone: 'Mars/Olympus' }, /timezone|Mars/],
    ['not an object', 'sat 2am', /must be an object/],
  ])('%s is refused with a reason', (_name, spec, why) => {
    expect(windowProblem(spec)).toMatch(why);
  });

  test('a valid window has no problem, and reads as one string', () => {
    expect(windowProblem(w)).toBeUndefined();
    expect(completionText({ window: w })).toBe('window:0 2 * * SAT/120m/Europe/Berlin');
    expect(completionText('manual')).toBe('manual');
  });
});
