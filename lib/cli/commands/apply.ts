import * as fs from 'node:fs';
import { plural } from '../../util/plural';
import { keysOfDeclarations } from '../../plan/key';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import { APPLY_DEFAULTS } from '../../apply/options';
import { mergePlans, preflight } from '../../apply/preflight';
import { EXIT } from '../../apply/result';
import { applyPlan } from '../../apply/runner';
import { InputError } from '../../errors';
import { cliClient } from '../cli-client';
import { durationFlag, intFlag, rateFlag, secondsFlag } from '../flags';
import { JsonLinesRenderer, type Renderer, renderSummary, TtyRenderer } from '../progress';
import { colourWanted, paint, renderPlans } from '../render-plan';
import { readPlanFile } from '../synth';
import { makePlans, type PlanningOptions } from './plan';
import type { RunnerEvent } from '../../apply/events';
import { noticeMoves, tenantNotices } from '../../notice/tenant-notice';
import * as os from 'node:os';
import { NOTIFY_FORMATS, type NotifyFormat } from '../../notify/format';
import { NotificationFilter } from '../../notify/notification';
import { checkTargets, Notifier } from '../../notify/notifier';

/** Writes each notice atomically (temp file, then rename). */
export function writeNotices(dir: string, files: ReadonlyMap<string, string>): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const out: string[] = [];
  for (const [name, text] of files) {
    const file = path.join(dir, name);
    fs.writeFileSync(`${file}.${process.pid}.tmp`, text);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
    out.push(file);
  }
  return out;
}

/** Options of `apply`. */
export interface ApplyCommandOptions extends PlanningOptions {
  readonly plan?: string;
  readonly move?: string[];
  /** Only the moves of these declarations (construct path or slug): what a declaration's Terraform resource runs. */
  readonly declaration?: string[];
  readonly autoApprove?: boolean;
  readonly complete?: boolean;
  readonly replan?: boolean;
  readonly parallel?: string;
  readonly maxPerSource?: string;
  readonly maxPerDestination?: string;
  readonly pollInterval?: string;
  readonly maxPollInterval?: string;
  readonly maxRequestRate?: string;
  readonly phase1Timeout?: string;
  readonly completeTimeout?: string;
  readonly outageLimit?: string;
  readonly cancelOnTimeout?: boolean;
  readonly verify?: boolean;
  /** `--no-wait` sets this to false. */
  readonly wait?: boolean;
  /** `--no-wait-for-window` sets this to false. */
  readonly waitForWindow?: boolean;
  readonly json?: boolean;
  readonly color?: boolean;
  /** Write a tenant notice per project (markdown and CSV) into this directory. */
  readonly notices?: string;
  /** Webhook URLs for notifications (`--notify`, repeatable). */
  readonly notify?: string[];
  /** `json`, `slack` or `teams`. */
  readonly notifyFormat?: string;
  /** Commands that get each notification's JSON on stdin (`--notify-command`, repeatable). */
  readonly notifyCommand?: string[];
}

function notifyFormatFlag(v: string | undefined): NotifyFormat {
  const f = (v ?? 'json') as NotifyFormat;
  if (!NOTIFY_FORMATS.includes(f)) throw new InputError('MP_FLAG_INVALID', `--notify-format must be one of ${NOTIFY_FORMATS.join(', ')}, got '${v}'.`, 'Example: --notify-format slack');
  return f;
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
  const parallel = intFlag(o.parallel, '--parallel') ?? APPLY_DEFAULTS.parallel;
  const maxPerSource = intFlag(o.maxPerSource, '--max-per-source');
  const maxPerDestination = intFlag(o.maxPerDestination, '--max-per-destination');
  const pollIntervalMs = secondsFlag(o.pollInterval, '--poll-interval', APPLY_DEFAULTS.pollIntervalMs);
  const maxPollIntervalMs = secondsFlag(o.maxPollInterval, '--max-poll-interval', APPLY_DEFAULTS.maxPollIntervalMs);
  const maxRequestRate = rateFlag(o.maxRequestRate, '--max-request-rate');
  const phase1TimeoutMs = secondsFlag(o.phase1Timeout, '--phase1-timeout');
  const completeTimeoutMs = secondsFlag(o.completeTimeout, '--complete-timeout');
  const outageLimitMs = durationFlag(o.outageLimit, '--outage-limit', APPLY_DEFAULTS.outageLimitMs);
  const noWait = o.wait === false;
  const targets = { urls: o.notify ?? [], commands: o.notifyCommand ?? [], format: notifyFormatFlag(o.notifyFormat) };
  checkTargets(targets);
  if (o.move && o.declaration) throw new InputError('MP_FLAG_CONFLICT', '--move and --declaration cannot be used together.', 'Select moves by key (--move) or by declaration (--declaration), not both.');
  if (o.plan && o.snapshot) throw new InputError('MP_FLAG_CONFLICT', '--plan and --snapshot cannot be used together.', 'A plan file already records its snapshot; pass one or the other.');

  const json = Boolean(o.json) || !process.stdout.isTTY;
  const p = paint(!json && colourWanted(process.stdout, o.color));
  const fromFile = Boolean(o.plan);
  const filePlan = fromFile ? readPlanFile(path.resolve(o.plan!)) : undefined;

  const { client, calls, journal } = cliClient(o, { journalDefault: path.resolve('.manila-placement/journal.jsonl'), maxRequestRate });
  try {
    // Planning refreshes through the same client: one token for the whole run.
    const plan = filePlan ?? mergePlans((await makePlans(o, client)).map((s) => s.plan));
    const only = o.declaration ? keysOfDeclarations(plan.entries, o.declaration) : o.move;
    await preflight(plan, client, { only });

    if (!json && !fromFile) process.stdout.write(renderPlans([plan], p));
    const selected = only ? plan.entries.filter((e) => only.includes(e.key)) : plan.entries;
    if (!selected.some((e) => e.action !== 'in-sync')) {
      if (!json) process.stdout.write('Nothing to apply.\n');
      journal?.write({ type: 'run', phase: 'end', moves: 0, exitCode: EXIT.OK });
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

    const renderer: Renderer = json ? new JsonLinesRenderer() : new TtyRenderer(p, { requests: client.budget });
    // Deliveries go on beside the moves; each result is journalled, a failure also said on stderr.
    const notifier = new Notifier(targets, {
      onResult: (r) => {
        journal?.write({ type: 'notify', ...r });
        if (!r.ok) process.stderr.write(`warning: notification ${r.event} to ${r.target} not delivered after ${plural(r.attempts, 'attempt')}: ${r.error ?? `status ${r.status}`}\n`);
      },
    });
    const filter = new NotificationFilter({
      cloud: client.config.cloudName ?? new URL(client.config.authUrl).host,
      runner: { host: os.hostname(), pid: process.pid, mode: noWait ? 'apply --no-wait' : 'apply' },
      journal: journal?.file,
    });
    const events: RunnerEvent[] = [];
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
        process.exit(EXIT.INTERRUPTED);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await applyPlan(plan, client, {
        only,
        parallel,
        maxPerSource,
        maxPerDestination,
        pollIntervalMs,
        maxPollIntervalMs,
        phase1TimeoutMs,
        completeTimeoutMs,
        outageLimitMs,
        cancelOnTimeout: o.cancelOnTimeout,
        completeManual: o.complete,
        replan: o.replan,
        verify: o.verify !== false,
        noWait,
        waitForWindow: o.waitForWindow !== false,
        detach: detach.signal,
        preflight: false, // done above, before the approval prompt
        onEvent: (e) => {
          journal?.write({ type: 'event', event: e });
          if (o.notices) events.push(e);
          renderer.event(e);
          const n = notifier.empty ? undefined : filter.of(e);
          if (n) notifier.send(n);
        },
      });
      renderer.stop();
      await notifier.flush();
      if (json) {
        const summary = result.results.map((r) => ({ ...r, apiCalls: calls.of(r.key) }));
        process.stdout.write(JSON.stringify({ type: 'summary', results: summary, outcome: result.outcome, exitCode: result.exitCode, apiCalls: calls.total() }) + '\n');
      } else {
        process.stdout.write(renderSummary(result.results, (k) => calls.of(k), p, { noWait }));
        if (journal) process.stdout.write(p.dim(`Journal: ${journal.file}\n`));
      }
      if (o.notices) {
        const written = writeNotices(path.resolve(o.notices), tenantNotices(noticeMoves(selected, events), new Date().toISOString()));
        process.stderr.write(`Wrote ${plural(written.length, 'tenant notice file')} to ${path.resolve(o.notices)}\n`);
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
