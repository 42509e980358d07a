import type { MoveEvent, MovePhase, RunnerEvent } from '../../../lib/apply/events';
import { FleetState, fleetWanted, fitWidth, RateMeter, renderFleet, visibleLength } from '../../../lib/cli/fleet-view';
import { LiveRegion, TtyRenderer } from '../../../lib/cli/progress';
import { paint } from '../../../lib/cli/render-plan';

const T0 = Date.parse('2026-12-07T20:00:00Z');
const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();
const plain = paint(false);
const server = (i: number): string => `server-${String(i).padStart(4, '0')}`;

function ev(i: number, phase: MovePhase, atS: number, extra: Partial<MoveEvent> = {}): MoveEvent {
  return { type: 'move', ts: iso(atS), key: `k${i}`, server: server(i), from: `src-${String(i % 20).padStart(2, '0')}@old`, to: `dst-${i % 10}@new`, phase, elapsed: atS, ...extra };
}

/**
 * 200 moves as the runner reports them: announced and queued, started one a second, then 20
 * done, 3 failed, 1 blocked, 20 waiting for the window, 5 completing (the last of them, move 150,
 * the latest change of all), the rest in phase 1 with progress.
 */
function fleetEvents(): RunnerEvent[] {
  const out: RunnerEvent[] = [{ type: 'run', ts: iso(0), phase: 'start', moves: 200 }];
  for (let i = 0; i < 200; i++) out.push(ev(i, 'queued', 0));
  for (let i = 0; i < 200; i++) out.push(ev(i, 'starting', i), ev(i, 'phase1', 100 + i, { taskState: 'migration_driver_in_progress' }));
  for (let i = 0; i < 200; i++) out.push(ev(i, 'observing', 600 + i), ev(i, 'phase1', 700 + i, { progress: i % 100 }));
  for (let i = 24; i < 44; i++) out.push(ev(i, 'phase1-done', 900 + i, { waiting: 'window opens 2026-12-07T21:00:00.000Z' }));
  for (let i = 0; i < 20; i++) out.push(ev(i, 'completing', 1000 + i), ev(i, 'done', 1100 + i, { newServerId: `new-${i}` }));
  for (let i = 20; i < 23; i++) out.push(ev(i, 'failed', 1200 + i, { code: 'MP_MIGRATION_ERROR', message: 'Manila reports the migration failed' }));
  out.push(ev(23, 'blocked', 1300, { code: 'MP_INCOMPATIBLE', message: 'the destination cannot keep snapshots' }));
  for (const i of [44, 45, 46, 47, 150]) out.push(ev(i, 'completing', 1400 + i));
  // Progress and polls after the last phase change: they must not reorder the list.
  out.push(ev(60, 'phase1', 2000, { progress: 99 }), ev(61, 'observing', 2001));
  return out;
}

function stateOf(events: readonly RunnerEvent[]): FleetState {
  const s = new FleetState();
  for (const e of events) s.add(e);
  return s;
}

const NOW = T0 + 2010 * 1000;
const REQUESTS = { perSecond: 1.8, budget: 2, sent: 12_345 };

describe('the live view at fleet size', () => {
  test('200 moves in flight give at most terminal-height lines: the overall bar, the phase counts, the rate against the budget, the moves that changed last', () => {
    const lines = renderFleet({ state: stateOf(fleetEvents()), now: NOW, requests: REQUESTS }, { columns: 120, rows: 40 }, plain);
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines.length).toBe(39); // the rows the list may take are used, the cursor's line left free
    expect(lines[0]).toMatch(/Moves +\|\u2588{5}\u2591{35}\| 24\/200 finished, 20 done {2}12% {2}33m30s$/);
    const text = lines.join('\n');
    expect(text).toContain('running  0 queued \u00b7 0 starting \u00b7 151 phase 1 \u00b7 20 waiting for window \u00b7 5 completing');
    expect(text).toContain('ended    20 done \u00b7 3 failed \u00b7 1 blocked \u00b7 0 cancelled');
    expect(text).toMatch(/Requests \|\u2588{36}\u2591{4}\| 1\.8\/s of 2\/s budget {2}90% {2}12,345 sent/);
    const heading = lines.findIndex((l) => l.includes('Last changed, newest first'));
    const rows = lines.slice(heading + 1);
    expect(rows).toHaveLength(39 - heading - 1);
    expect(lines[heading]).toContain(`(${rows.length} of 200)`);
    // Newest first: the last five to complete (150 the latest), then the blocked one, the failed ones.
    expect(rows.slice(0, 9).map((r) => r.match(/server-\d{4}/)?.[0])).toEqual([150, 47, 46, 45, 44, 23, 22, 21, 20].map(server));
    expect(rows[0]).toMatch(/^ +7m40s ago {2}server-0150 {2}src-10@old -> dst-0@new {2}33m30s {2}completing$/);
    expect(rows[5]).toMatch(/blocked MP_INCOMPATIBLE: the destination cannot keep snaps\u2026$/); // cut at the width
    expect(text).not.toContain('server-0060'); // its progress came last, but its phase changed long before
  });

  test('a move waiting for its window says when the window opens; one in phase 1 its progress', () => {
    const s = stateOf(fleetEvents());
    const lines = renderFleet({ state: s, now: NOW }, { columns: 160, rows: 200 }, plain);
    expect(lines.find((l) => l.includes('server-0030'))).toMatch(/waiting for window: opens 21:00 UTC$/);
    expect(lines.find((l) => l.includes('server-0099'))).toMatch(/phase 1 99% \(driver_in_progress\)$/);
    expect(lines.find((l) => l.includes('server-0005'))).toMatch(/done -> new-5$/);
  });

  test('every line fits the width, colours included, and a tiny terminal still gets no more lines than it has', () => {
    const s = stateOf(fleetEvents());
    for (const size of [{ columns: 60, rows: 20 }, { columns: 200, rows: 60 }, { columns: 30, rows: 3 }]) {
      const lines = renderFleet({ state: s, now: NOW, requests: REQUESTS }, size, paint(true));
      expect(lines.length).toBeLessThanOrEqual(size.rows - 1);
      for (const l of lines) expect(visibleLength(l)).toBeLessThanOrEqual(Math.max(20, size.columns - 1));
    }
  });

  test('without a budget the rate stands alone; before two samples it is a dash', () => {
    const s = stateOf(fleetEvents());
    expect(renderFleet({ state: s, now: NOW, requests: { perSecond: 7.25, budget: Infinity, sent: 40 } }, { columns: 120, rows: 40 }, plain).join('\n')).toContain(
      'Requests 7.3/s, no budget  40 sent',
    );
    expect(renderFleet({ state: s, now: NOW, requests: { budget: 2, sent: 0 } }, { columns: 120, rows: 40 }, plain).join('\n')).toContain('-/s of 2/s budget  0%');
  });

  test('a phase change puts a move on top; progress within a phase and polls do not', () => {
    const s = stateOf([ev(1, 'queued', 0), ev(2, 'queued', 0), ev(1, 'phase1', 10), ev(2, 'phase1', 20)]);
    expect(s.recent(2).map((m) => m.key)).toEqual(['k2', 'k1']);
    s.add(ev(1, 'phase1', 30, { progress: 50 }));
    s.add(ev(1, 'observing', 31));
    expect(s.recent(2).map((m) => m.key)).toEqual(['k2', 'k1']);
    expect(s.moves.find((m) => m.key === 'k1')).toMatchObject({ phase: 'phase1', progress: 50, elapsed: 31 });
    s.add(ev(1, 'phase1-done', 40));
    expect(s.recent(1).map((m) => m.key)).toEqual(['k1']);
  });
});

describe('choosing the view', () => {
  test('a small run that fits the terminal keeps one bar per move; more than ten moves, or more than fit, get the fleet view', () => {
    expect(fleetWanted(4, 40)).toBe(false);
    expect(fleetWanted(10, 40)).toBe(false);
    expect(fleetWanted(11, 40)).toBe(true);
    expect(fleetWanted(200, 40)).toBe(true);
    expect(fleetWanted(8, 8)).toBe(true);
  });

  test('the TTY renderer apply uses draws 200 moves as the fleet view, with the rate from the request counter', () => {
    const out: string[] = [];
    const stream = { isTTY: true, columns: 120, rows: 40, write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WriteStream;
    const counter = { granted: 0, rate: 2 };
    let now = T0;
    const r = new TtyRenderer(plain, { stream, clock: { now: () => now, sleep: async () => undefined }, requests: counter });
    for (const e of fleetEvents()) r.event(e);
    now = NOW;
    counter.granted = 4_000;
    r.stop();
    const frame = out.join('');
    expect(frame).toContain('24/200 finished, 20 done');
    expect(frame).toContain('of 2/s budget');
    expect(frame).toContain('4,000 sent');
    expect(frame).not.toContain('phase1 (driver_in_progress)'); // no per-move bar
    expect(frame.startsWith('\x1b[?25l')).toBe(true);
    expect(frame.endsWith('\n\x1b[?25h')).toBe(true);
  });

  test('a run announced small that grows past ten moves (the plan blocked some) turns to the fleet view', () => {
    const out: string[] = [];
    const stream = { isTTY: true, columns: 120, rows: 40, write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WriteStream;
    const r = new TtyRenderer(plain, { stream, clock: { now: () => T0 + 60_000, sleep: async () => undefined } });
    r.event({ type: 'run', ts: iso(0), phase: 'start', moves: 8 });
    for (let i = 0; i < 4; i++) r.event(ev(i, 'blocked', 0, { code: 'MP_INCOMPATIBLE' }));
    for (let i = 4; i < 12; i++) r.event(ev(i, 'queued', 0));
    r.stop();
    const text = out.join('');
    expect(text).toContain('4/12 finished, 0 done');
    expect(text).toContain('8 queued');
  });

  test('the fleet view draws nothing live on a stream that is not a terminal', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WriteStream;
    const r = new TtyRenderer(plain, { stream });
    for (const e of fleetEvents()) r.event(e);
    r.event({ type: 'run', ts: iso(3000), phase: 'warning', moves: 200, message: 'limits exceeded in the cloud' });
    r.stop();
    expect(out).toEqual(['warning: limits exceeded in the cloud\n']);
  });
});

describe('drawing in place', () => {
  test('a frame is drawn over the one before; a log line goes above it and the frame again below', () => {
    const out: string[] = [];
    const region = new LiveRegion({ write: (s: string) => out.push(s) > 0 } as unknown as NodeJS.WritableStream);
    region.draw(['a', 'b', 'c']);
    region.draw(['d', 'e']);
    region.log('outage-begun: Manila does not answer');
    region.end();
    expect(out).toEqual([
      '\x1b[?25l\x1b[2Ka\n\x1b[2Kb\n\x1b[2Kc\x1b[J',
      '\r\x1b[2A\x1b[2Kd\n\x1b[2Ke\x1b[J',
      '\r\x1b[1A\x1b[Joutage-begun: Manila does not answer\n',
      '\x1b[2Kd\n\x1b[2Ke\x1b[J',
      '\n\x1b[?25h',
    ]);
  });

  test('a line too wide is cut with an ellipsis, its colours closed', () => {
    expect(fitWidth('abcdefgh', 5)).toBe('abcd\u2026');
    expect(fitWidth('abc', 5)).toBe('abc');
    const cut = fitWidth(`\x1b[31m${'x'.repeat(10)}\x1b[0m`, 5);
    expect(visibleLength(cut)).toBe(5);
    expect(cut.endsWith('\u2026\x1b[0m')).toBe(true);
  });
});

describe('the request rate', () => {
  test('is the growth of the request count over the last window', () => {
    const m = new RateMeter(10_000);
    expect(m.sample(0, 0)).toBeUndefined();
    expect(m.sample(5_000, 10)).toBe(2);
    expect(m.sample(10_000, 20)).toBe(2);
    // 0..10 s at 2/s, then 10..20 s at 1/s: the window now covers the second part only.
    expect(m.sample(15_000, 25)).toBe(1.5);
    expect(m.sample(20_000, 30)).toBe(1);
    // Virtual time that jumps: the rate over the jump.
    expect(m.sample(80_000, 60)).toBe(0.5);
  });
});
