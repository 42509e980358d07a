import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { applyPlan, EXIT } from '../../apply/runner';
import { InputError } from '../../errors';
import type { Plan, PlanEntry } from '../../plan/types';
import { cliClient, intFlag, secondsFlag } from '../context';
import { JsonLinesRenderer, Renderer, renderSummary, TtyRenderer } from '../progress';
import { colourWanted, paint, renderPlans } from '../render-plan';
import { readPlanFile } from '../synth';
import { makePlans, PlanningOptions } from './plan';

/** Options of `apply`. */
export interface ApplyCommandOptions extends PlanningOptions {
  readonly plan?: string;
  readonly move?: string[];
  readonly autoApprove?: boolean;
  readonly complete?: boolean;
  readonly replan?: boolean;
  readonly parallel?: string;
  readonly maxPerSource?: string;
  readonly maxPerDestination?: string;
  readonly pollInterval?: string;
  readonly phase1Timeout?: string;
  readonly completeTimeout?: string;
  readonly cancelOnTimeout?: boolean;
  readonly verify?: boolean;
  readonly json?: boolean;
  readonly color?: boolean;
}

/** One plan out of several (stacks), entries concatenated; keys hold the construct path, so they stay unique. */
function merge(plans: readonly Plan[]): Plan {
  if (plans.length === 1) return plans[0];
  const entries: PlanEntry[] = plans.flatMap((p) => [...p.entries]);
  const summary = { ...plans[0].summary };
  for (const p of plans.slice(1)) for (const [k, v] of Object.entries(p.summary)) summary[k as keyof typeof summary] += v;
  return { ...plans[0], entries, summary };
}

async function confirm(): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question("\nDo you want to perform these migrations?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ");
    return answer.trim() === 'yes';
  } finally {
    rl.close();
  }
}

/** `manila-placement apply`. */
export async function applyCommand(o: ApplyCommandOptions): Promise<number> {
  // Every flag is checked before anything is read from, or sent to, the cloud.
  const parallel = intFlag(o.parallel, '--parallel') ?? 4;
  const maxPerSource = intFlag(o.maxPerSource, '--max-per-source');
  const maxPerDestination = intFlag(o.maxPerDestination, '--max-per-destination');
  const pollIntervalMs = secondsFlag(o.pollInterval, '--poll-interval', 2_000);
  const phase1TimeoutMs = secondsFlag(o.phase1Timeout, '--phase1-timeout');
  const completeTimeoutMs = secondsFlag(o.completeTimeout, '--complete-timeout');
  if (o.plan && o.snapshot) throw new InputError('MP_FLAG_CONFLICT', '--plan and --snapshot cannot be used together.', 'A plan file already records its snapshot; pass one or the other.');

  const json = Boolean(o.json) || !process.stdout.isTTY;
  const p = paint(!json && colourWanted(process.stdout, o.color));
  const fromFile = Boolean(o.plan);
  const filePlan = fromFile ? readPlanFile(path.resolve(o.plan!)) : undefined;

  const { client, calls, journal } = cliClient(o, { journalDefault: path.resolve('.manila-placement/journal.jsonl') });
  try {
    // Planning refreshes through the same client: one token for the whole run.
    const plan = filePlan ?? merge((await makePlans(o, client)).map((s) => s.plan));
    if (o.move) {
      const keys = new Set(plan.entries.map((e) => e.key));
      const unknown = o.move.filter((k) => !keys.has(k));
      if (unknown.length) {
        throw new InputError('MP_MOVE_UNKNOWN', `No move ${unknown.join(', ')} in the plan (it has: ${[...keys].join(', ') || 'none'}).`, 'Use a key shown by `manila-placement plan`.');
      }
    }

    // A plan made for another cloud is refused before anything is sent to this one.
    const endpoint = await client.endpoint();
    const saw = plan.snapshot.cloud;
    if (saw.authUrl !== client.config.authUrl || saw.endpoint !== endpoint) {
      throw new InputError(
        'MP_PLAN_OTHER_CLOUD',
        `The plan was made for ${saw.endpoint} (Keystone ${saw.authUrl}), but the selected cloud is ${endpoint} (Keystone ${client.config.authUrl}).`,
        'Select the cloud the plan was made for (--os-cloud / OS_CLOUD), or plan again against this one.',
      );
    }

    // Credentials that cannot read share server state (e.g. no admin role) stop the run here,
    // before any move starts, as a run-level error.
    await client.listServices({ binary: 'manila-share' });

    if (!json && !fromFile) process.stdout.write(renderPlans([plan], p));
    const selected = o.move ? plan.entries.filter((e) => o.move!.includes(e.key)) : plan.entries;
    if (!selected.some((e) => e.action !== 'in-sync')) {
      if (!json) process.stdout.write('Nothing to apply.\n');
      journal?.write({ type: 'run', phase: 'end', moves: 0, exitCode: 0 });
      return EXIT.OK;
    }
    if (!o.autoApprove && !fromFile) {
      if (!process.stdin.isTTY) {
        throw new InputError('MP_APPROVAL_REQUIRED', 'apply needs approval, and there is no terminal to ask.', 'Review `manila-placement plan`, then run apply with --auto-approve (or apply a plan file with --plan).');
      }
      if (!(await confirm())) {
        process.stderr.write('Apply cancelled; nothing was changed.\n');
        return EXIT.ERROR;
      }
    }

    const renderer: Renderer = json ? new JsonLinesRenderer() : new TtyRenderer(p);
    const detach = new AbortController();
    let interrupts = 0;
    const onSignal = (sig: NodeJS.Signals): void => {
      interrupts++;
      journal?.write({ type: 'signal', signal: sig, count: interrupts });
      if (interrupts === 1) {
        process.stderr.write(`\n${sig}: no new move will start; detaching from running ones (Manila carries on). Run apply again to resume. Press Ctrl-C again to exit now.\n`);
        detach.abort();
      } else {
        renderer.stop();
        process.stderr.write('Exiting now. Run apply again to resume.\n');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await applyPlan(plan, client, {
        only: o.move,
        parallel,
        maxPerSource,
        maxPerDestination,
        pollIntervalMs,
        phase1TimeoutMs,
        completeTimeoutMs,
        cancelOnTimeout: o.cancelOnTimeout,
        completeManual: o.complete,
        replan: o.replan,
        verify: o.verify !== false,
        detach: detach.signal,
        onEvent: (e) => {
          journal?.write({ type: 'event', event: e });
          renderer.event(e);
        },
      });
      renderer.stop();
      if (json) {
        const summary = result.results.map((r) => ({ ...r, apiCalls: calls.of(r.key) }));
        process.stdout.write(JSON.stringify({ type: 'summary', results: summary, outcome: result.outcome, exitCode: result.exitCode, apiCalls: calls.total() }) + '\n');
      } else {
        process.stdout.write(renderSummary(result.results, (k) => calls.of(k), p));
        if (journal) process.stdout.write(p.dim(`Journal: ${journal.file}\n`));
      }
      return result.exitCode;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  } finally {
    journal?.close();
    await client.close();
  }
}
