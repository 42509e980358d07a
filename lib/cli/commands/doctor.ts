import * as path from 'node:path';
import { plural } from '../../util/plural';
import * as readline from 'node:readline/promises';
import { EXIT } from '../../apply/result';
import { diagnose, safeSteps, type Diagnosis, type RecoveryStep } from '../../doctor/diagnose';
import { flatSharesToExamine, readEvidence, readShareEvidence, serversToExamine } from '../../doctor/evidence';
import { RESOURCES } from '../../manila/resource';
import { InputError, ManilaPlacementError } from '../../errors';
import type { ManilaClient } from '../../manila/client';
import type { Share, ShareServer } from '../../manila/types';
import { cliClient, type GlobalOptions } from '../cli-client';

/** Exit codes of `doctor`. */
export const DOCTOR_EXIT = { HEALTHY: 0, ERROR: 1, FINDINGS: 2 } as const;

/** Options of `doctor`. */
export interface DoctorOptions extends GlobalOptions {
  readonly json?: boolean;
  readonly fix?: boolean;
  readonly autoApprove?: boolean;
}

async function ask(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`${question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `)).trim() === 'yes';
  } finally {
    rl.close();
  }
}

function render(d: Diagnosis): string {
  const out = [`${RESOURCES[d.kind ?? 'share-server'].noun} ${d.server} on ${d.host}: ${d.verdict}`];
  for (const f of d.findings) {
    out.push(`  ${f.state}: ${f.summary}`);
    for (const e of f.evidence) out.push(`    evidence: ${e}`);
    for (const s of f.steps) {
      out.push(`    ${s.kind === 'safe' ? 'fix (safe, --fix does it)' : 'needs a person'}: ${s.what}`);
      out.push(`      $ ${s.command}`);
      out.push(`      why: ${s.why}`);
    }
  }
  if (!d.findings.length) out.push('  status active, no mark, no leftover record, shares available, rules applied');
  for (const c of d.context) out.push(`  ${c}`);
  return out.join('\n') + '\n';
}

async function diagnoseOne(client: ManilaClient, id: string, journal: string | undefined, kind: Diagnosis['kind']): Promise<Diagnosis> {
  if (kind === 'share') return diagnose(await readShareEvidence(client, await client.getShare(id), journal, () => Date.now()));
  const all = await client.listShareServers();
  const server = all.find((s) => s.id === id);
  if (!server) throw new InputError('MP_SERVER_UNKNOWN', `share server ${id} does not exist in this cloud.`, 'List them with `manila-placement servers --all`.');
  return diagnose(await readEvidence(client, server, all, journal, () => Date.now()));
}

/**
 * What to look at: the servers and shares named, else every server worth a look and every share
 * that moves by itself and is worth a look (../../doctor/evidence.ts).
 */
async function targets(client: ManilaClient, all: readonly ShareServer[], named: readonly string[]): Promise<Array<ShareServer | { share: Share }>> {
  if (!named.length) return [...serversToExamine(all), ...flatSharesToExamine(await client.listShares()).map((share) => ({ share }))];
  return Promise.all(
    named.map(async (n) => {
      const s = all.find((x) => x.id === n);
      if (s) return s;
      const share = await client.getShare(n).catch(() => undefined);
      if (share && !share.shareServerId) return { share };
      throw new InputError(
        'MP_SERVER_UNKNOWN',
        share ? `share ${n} is on share server ${share.shareServerId}: doctor looks at its server.` : `no share server, nor share without a share server, has the id ${n} in this cloud.`,
        share ? `Run manila-placement doctor ${share.shareServerId}.` : 'List them with `manila-placement servers --all` or `openstack share list --all-projects`.',
      );
    }),
  );
}

/** Performs one safe step, only if a fresh diagnosis still offers it. */
/** What one step did, and the server as read after it. */
interface StepOutcome {
  readonly done: boolean;
  readonly after: Diagnosis;
  readonly why?: string;
}

async function perform(client: ManilaClient, d: Diagnosis, step: RecoveryStep, journal: string | undefined): Promise<StepOutcome> {
  const fresh = await diagnoseOne(client, d.server, journal, d.kind);
  const still = safeSteps(fresh).find((s) => s.action?.type === step.action?.type && s.action?.serverId === step.action?.serverId);
  if (!still?.action) return { done: false, after: fresh, why: 'the state changed since it was read; nothing was sent' };
  if (still.action.type === 'reset-task-state') await client.resetTaskState(still.action.serverId, null, still.action.kind);
  else await client.deleteShareServer(still.action.serverId);
  return { done: true, after: await diagnoseOne(client, d.server, journal, d.kind) };
}

/** `manila-placement doctor [SERVER...]`. */
export async function doctorCommand(servers: string[], o: DoctorOptions): Promise<number> {
  const journalFile = path.resolve(o.journal ?? '.manila-placement/journal.jsonl');
  if (o.fix && !o.autoApprove && !process.stdin.isTTY) {
    throw new InputError('MP_APPROVAL_REQUIRED', 'doctor --fix needs approval, and there is no terminal to ask.', 'Read `manila-placement doctor` first, then run doctor --fix --auto-approve.');
  }
  const { client, journal } = cliClient(o, { journalDefault: journalFile });
  try {
    const all = await client.listShareServers();
    const list = await targets(client, all, servers);
    const diagnoses: Diagnosis[] = [];
    for (const t of list) {
      const ev = 'share' in t ? await readShareEvidence(client, t.share, journalFile, () => Date.now()) : await readEvidence(client, t, all, journalFile, () => Date.now());
      diagnoses.push(diagnose(ev));
    }
    const fixes: Array<{ server: string; step: string; command: string; done: boolean; error?: string; why?: string; after?: string }> = [];
    if (o.fix) {
      // One server at a time: each step re-reads first, and the server again after.
      for (const [i, d] of diagnoses.entries()) {
        const steps = safeSteps(d);
        if (!steps.length) continue;
        if (!o.json) process.stdout.write(render(d));
        if (!o.autoApprove && !(await ask(`Do the ${plural(steps.length, 'safe step')} above for ${d.server}?`))) continue;
        let current = d;
        for (const step of steps) {
          try {
            const r = await perform(client, current, step, journalFile);
            current = r.after;
            fixes.push({ server: d.server, step: step.what, command: step.command, done: r.done, ...(r.why ? { why: r.why } : {}), after: r.after.verdict });
            journal?.write({ type: 'doctor', server: d.server, step: step.what, command: step.command, done: r.done, after: r.after.verdict });
            if (!o.json) process.stdout.write(`  ${r.done ? 'done' : 'skipped'}: ${step.what}${r.why ? ` (${r.why})` : ''}; now ${r.after.verdict}\n`);
          } catch (e) {
            const m = e instanceof ManilaPlacementError ? `${e.code}: ${e.message}` : String(e);
            fixes.push({ server: d.server, step: step.what, command: step.command, done: false, error: m });
            journal?.write({ type: 'doctor', server: d.server, step: step.what, command: step.command, done: false, error: m });
            if (!o.json) process.stderr.write(`  failed: ${step.what}: ${m}\n`);
            break; // the next step of this server waits for a person
          }
        }
        diagnoses[i] = current;
      }
    }
    const open = diagnoses.filter((d) => d.verdict !== 'healthy' && d.verdict !== 'migrating');
    if (o.json) {
      process.stdout.write(JSON.stringify({ servers: diagnoses, ...(o.fix ? { fixes } : {}) }, null, 2) + '\n');
    } else {
      if (!diagnoses.length) process.stdout.write('No share server or share has a mark, a leftover record or a stuck state.\n');
      if (!o.fix || !fixes.length) for (const d of diagnoses) process.stdout.write(render(d));
      else for (const d of open) process.stdout.write(render(d));
      const shares = diagnoses.filter((d) => d.kind === 'share').length;
      const looked = shares ? `${plural(diagnoses.length - shares, 'server')} and ${plural(shares, 'share')}` : plural(diagnoses.length, 'server');
      process.stdout.write(`\n${looked} looked at: ${open.length} ${open.length === 1 ? 'needs' : 'need'} attention.\n`);
    }
    return open.length ? DOCTOR_EXIT.FINDINGS : EXIT.OK;
  } finally {
    journal?.close();
    await client.close();
  }
}
