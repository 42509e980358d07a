import type { MovePhase } from '../../../lib/apply/events';
import { countOutcomes, isMovePhase, OUTCOMES, outcomeLabel, outcomeOf, outcomeSummary } from '../../../lib/apply/outcome';
import { EXIT, exitCodeFor, FAILED_PHASES, type MoveResult } from '../../../lib/apply/result';

const result = (phase: MovePhase): MoveResult => ({ key: `k-${phase}`, phase, server: 's', from: 'a', to: 'b', elapsed: 0 });

describe('outcomeOf', () => {
  it('GIVEN each final phase WHEN classed THEN blocked, failed, cancelled, waiting, not finished and done are apart', () => {
    const phases: MovePhase[] = ['blocked', 'stale', 'conflict', 'failed', 'cancelled', 'awaiting-completion', 'awaiting-window', 'timed-out', 'detached', 'phase1', 'queued', 'done'];
    expect(phases.map((p) => [p, outcomeOf(p)])).toEqual([
      ['blocked', 'blocked'],
      ['stale', 'blocked'],
      ['conflict', 'blocked'],
      ['failed', 'failed'],
      ['cancelled', 'cancelled'],
      ['awaiting-completion', 'waiting'],
      ['awaiting-window', 'waiting'],
      ['timed-out', 'unfinished'],
      ['detached', 'unfinished'],
      ['phase1', 'unfinished'],
      ['queued', 'unfinished'],
      ['done', 'done'],
    ]);
  });

  it('GIVEN the failed phases of apply WHEN classed THEN they are exactly the blocked, failed and cancelled outcomes, and exit 3', () => {
    expect([...FAILED_PHASES].sort()).toEqual(['blocked', 'cancelled', 'conflict', 'failed', 'stale']);
    for (const p of FAILED_PHASES) expect(['blocked', 'failed', 'cancelled']).toContain(outcomeOf(p));
    for (const p of FAILED_PHASES) expect(exitCodeFor([result('done'), result(p)])).toBe(EXIT.MOVES_FAILED);
    expect(exitCodeFor([result('done'), result('awaiting-completion')])).toBe(EXIT.INCOMPLETE);
  });

  it('GIVEN a phase this version does not know WHEN asked THEN it is not a move phase', () => {
    expect(isMovePhase('done')).toBe(true);
    expect(isMovePhase('teleported')).toBe(false);
    expect(isMovePhase('toString')).toBe(false);
  });
});

describe('outcomeLabel', () => {
  it('GIVEN a phase WHEN labelled THEN the outcome, with the phase where it says more', () => {
    expect(outcomeLabel('blocked')).toBe('blocked');
    expect(outcomeLabel('failed')).toBe('failed');
    expect(outcomeLabel('cancelled')).toBe('cancelled');
    expect(outcomeLabel('done')).toBe('done');
    expect(outcomeLabel('stale')).toBe('blocked (stale)');
    expect(outcomeLabel('awaiting-window')).toBe('waiting (awaiting-window)');
    expect(outcomeLabel('phase1')).toBe('not finished (phase1)');
  });
});

describe('outcomeSummary', () => {
  it('GIVEN a blocked, a failed, a cancelled and a done move WHEN summarised THEN each is counted apart, what needs a person first', () => {
    expect(outcomeSummary(countOutcomes(['done', 'cancelled', 'failed', 'blocked']))).toBe('4 moves: 1 blocked, 1 failed, 1 cancelled, 1 done');
  });

  it('GIVEN the issue\'s rollout (one blocked, 17 done) WHEN summarised THEN the header says blocked, not failed', () => {
    const phases: MovePhase[] = [...Array<MovePhase>(17).fill('done'), 'blocked'];
    expect(outcomeSummary(countOutcomes(phases))).toBe('18 moves: 1 blocked, 17 done');
  });

  it('GIVEN one, none, or moves waiting and not finished WHEN summarised THEN the plurals are right and zero counts are left out', () => {
    expect(outcomeSummary(countOutcomes(['done']))).toBe('1 move: 1 done');
    expect(outcomeSummary(countOutcomes([]))).toBe('0 moves');
    expect(outcomeSummary(countOutcomes(['awaiting-window', 'awaiting-completion', 'phase1', 'stale', 'conflict']))).toBe('5 moves: 2 blocked, 2 waiting, 1 not finished');
  });

  it('GIVEN any phases WHEN counted THEN every outcome has a count and they add up to the moves', () => {
    const counts = countOutcomes(['done', 'failed', 'timed-out']);
    expect(Object.keys(counts).sort()).toEqual([...OUTCOMES].sort());
    expect(OUTCOMES.reduce((s, o) => s + counts[o], 0)).toBe(3);
  });
});
