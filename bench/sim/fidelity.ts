import { isSubsequence, quiescent, type RecordedSequence, type ServerRole, type StateList } from './sequence';

/**
 * How a simulated sequence is judged against one recorded from the real Manila. Exact where
 * timing cannot matter (the answers to the migration actions, how the runner reported the move,
 * the end state); tolerant where it can (which short-lived states a sampler happened to see):
 *
 * 1. the answers, the outcome and the final states are equal;
 * 2. every state the real Manila showed, in its order, is a state the simulator went through
 *    (the recorded list is a subsequence of the simulator's exhaustive trace), for S and for D;
 * 3. the quiescent states (those that last until a periodic task or an API call) are the same
 *    in the recording, in what the simulated run observed, and in the simulator's trace.
 *
 * The same for a share migration (`resource: 'share'`), whose states are the share's with its
 * instances (./share-sequence.ts).
 */

/** One difference, in words. */
export type Mismatch = string;

const show = (v: unknown): string => JSON.stringify(v);

/** The differences between a recording and a simulated run (empty: faithful). */
export function compareSequences(recorded: RecordedSequence, simulated: RecordedSequence, trace: { readonly S: StateList; readonly D: StateList }): Mismatch[] {
  const out: Mismatch[] = [];
  if (recorded.resource !== simulated.resource) out.push(`resource differs: recorded ${show(recorded.resource)}, simulated ${show(simulated.resource)}`);
  if (show(recorded.answers) !== show(simulated.answers)) out.push(`answers differ: recorded ${show(recorded.answers)}, simulated ${show(simulated.answers)}`);
  if (show(recorded.outcome) !== show(simulated.outcome)) out.push(`outcome differs: recorded ${show(recorded.outcome)}, simulated ${show(simulated.outcome)}`);
  for (const k of ['S', 'D', 'shares'] as const) {
    if (recorded.final[k] !== simulated.final[k]) out.push(`final ${k} differs: recorded ${show(recorded.final[k])}, simulated ${show(simulated.final[k])}`);
  }
  for (const role of ['S', 'D'] as ServerRole[]) {
    if (!isSubsequence(recorded[role], trace[role]))
      out.push(`${role}: the recorded states ${show(recorded[role])} are not a subsequence of the simulator's trace ${show(trace[role])}`);
    const q = [recorded[role], simulated[role], trace[role]].map((list) => quiescent(role, list, recorded.resource));
    if (show(q[0]) !== show(q[1]) || show(q[0]) !== show(q[2]))
      out.push(`${role}: quiescent states differ: recorded ${show(q[0])}, simulated run ${show(q[1])}, simulator trace ${show(q[2])}`);
  }
  return out;
}
