import { timeScale } from '../../../lib/report/axis';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const s = (n: number): number => T0 + n * 1000;

describe('timeScale', () => {
  it('GIVEN one run over the whole span WHEN scaled THEN the axis is linear, with round ticks far enough apart', () => {
    // WHEN
    const sc = timeScale(s(0), s(20), [[s(0), s(20)]], 800);
    // THEN
    expect(sc.pieces).toEqual([{ from: s(0), to: s(20), x0: 0, x1: 800, broken: false }]);
    expect(sc.x(s(10))).toBe(400);
    expect(sc.x(s(-5))).toBe(0);
    expect(sc.x(s(99))).toBe(800);
    expect(sc.ticks.map((t) => t.label)).toEqual(['10:00:00', '10:00:05', '10:00:10', '10:00:15', '10:00:20']);
  });

  it('GIVEN two short runs two hours apart WHEN scaled THEN the gap is a fixed-width break and the runs share the rest', () => {
    // WHEN
    const sc = timeScale(s(0), s(7230), [
      [s(0), s(30)],
      [s(7200), s(7230)],
    ], 800, { breakWidth: 64 });
    // THEN
    expect(sc.pieces.map((p) => [p.broken, Math.round(p.x1 - p.x0)])).toEqual([
      [false, 368],
      [true, 64],
      [false, 368],
    ]);
    // Both runs are wide, the two hours are not.
    expect(sc.x(s(30)) - sc.x(s(0))).toBeCloseTo(368, 0);
    // Times map in order across the break.
    const xs = [0, 15, 30, 3600, 7200, 7215, 7230].map((n) => sc.x(s(n)));
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    // No tick lands in the break, and labels stay apart.
    const br = sc.pieces[1];
    expect(sc.ticks.every((t) => t.x < br.x0 || t.x > br.x1)).toBe(true);
    for (let i = 1; i < sc.ticks.length; i++) expect(sc.ticks[i].x - sc.ticks[i - 1].x).toBeGreaterThanOrEqual(96);
  });

  it('GIVEN runs every five minutes lasting one minute WHEN scaled THEN gaps shorter than twice the longest run stay linear', () => {
    // WHEN
    const sc = timeScale(s(0), s(360), [
      [s(0), s(60)],
      [s(300), s(360)],
    ], 600);
    // THEN: 240 s gap > 2 × 60 s: broken. With 150 s runs it would not be.
    expect(sc.pieces.some((p) => p.broken)).toBe(true);
    const linear = timeScale(s(0), s(450), [
      [s(0), s(150)],
      [s(300), s(450)],
    ], 600);
    expect(linear.pieces.some((p) => p.broken)).toBe(false);
  });

  it('GIVEN a span across midnight WHEN scaled THEN tick labels carry the day', () => {
    const from = Date.parse('2026-12-01T23:59:00.000Z');
    const sc = timeScale(from, from + 120_000, [[from, from + 120_000]], 600);
    expect(sc.ticks.map((t) => t.label)).toEqual(['12-01 23:59:00', '12-01 23:59:30', '12-02 00:00:00', '12-02 00:00:30', '12-02 00:01:00']);
  });

  it('GIVEN a single instant WHEN scaled THEN the axis still has a width and a tick', () => {
    const sc = timeScale(s(0), s(0), [[s(0), s(0)]], 600);
    expect(sc.to).toBeGreaterThan(sc.from);
    expect(sc.ticks.length).toBeGreaterThan(0);
  });
});
