import { resetSourceCommands } from '../apply/recovery';
import { plural } from '../util/plural';
import { isIdle, isInFlightTaskState, isMigrationDestination, isMigrationSource } from '../manila/server-state';
import { kindOf, traitsOf, type ResourceKind } from '../manila/resource';
import type { ShareServer } from '../manila/types';
import { duration } from '../report/format';
import type { ServerEvidence } from './evidence';

/**
 * What `doctor` makes of a server's evidence: which known state it is in, the evidence in
 * plain words, and the documented recovery (docs/manila-recovery.md). Pure. Only two steps are
 * ever `safe` (done by `--fix`): clearing a cancelled or failed mark whose migration is over with
 * the source and its shares healthy, and deleting a failed destination record that holds no
 * shares. Everything else is printed as commands, with why a person must judge it.
 */

/** The known states, as stable codes. */
export type DoctorState =
  | 'healthy'
  | 'migrating'
  | 'cancelled-mark'
  | 'failed-mark'
  | 'failed-complete'
  | 'leftover-destination'
  | 'stuck-migrating'
  | 'rules-stuck'
  | 'instance-error';

/** A recovery step. `safe` ones carry the call `--fix` makes. */
export interface RecoveryStep {
  readonly kind: 'safe' | 'manual';
  readonly what: string;
  /** The exact command an operator types (OpenStackClient, or the manila CLI where OSC cannot). */
  readonly command: string;
  readonly why: string;
  readonly action?: { readonly type: 'reset-task-state' | 'delete-server'; readonly serverId: string; readonly kind?: ResourceKind };
}

/** One state the server is in, with its evidence. */
export interface Finding {
  readonly state: DoctorState;
  readonly summary: string;
  readonly evidence: readonly string[];
  readonly steps: readonly RecoveryStep[];
}

/** Everything doctor says about one server (or one share that moves by itself). */
export interface Diagnosis {
  /** A share server, or a share migrating by itself (lib/manila/share-record.ts). @default 'share-server' */
  readonly kind?: ResourceKind;
  readonly server: string;
  readonly host: string;
  readonly status: string;
  readonly taskState: string | null;
  /** The first finding's state (the most pressing), or `healthy`. */
  readonly verdict: DoctorState;
  readonly findings: readonly Finding[];
  /** Manila's user messages and the journal's last events, as evidence lines. */
  readonly context: readonly string[];
}

const rec = (s: ShareServer): string =>
  `${s.resource === 'share' && isMigrationDestination(s) ? 'share instance' : traitsOf(s).noun} ${s.id}: status ${s.status}, task_state ${s.taskState ?? 'none'}, host ${s.host}${s.sourceShareServerId ? `, source ${s.sourceShareServerId}` : ''}${s.updatedAt ? `, updated ${s.updatedAt}` : ''}`;

/** Manila writes UTC times without a zone. */
const manilaMs = (iso: string): number => Date.parse(/Z|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
const age = (at: number, iso: string | undefined): string => (iso ? ` (${duration(at - manilaMs(iso))} ago)` : '');

/** Diagnoses one server. */
export function diagnose(ev: ServerEvidence): Diagnosis {
  const s = ev.server;
  const findings: Finding[] = [];
  const live = ev.destinations.find((d) => isMigrationDestination(d));
  const t = traitsOf(s);
  // A share resets itself; a server resets with its shares (../apply/recovery.ts).
  const resetCommands = (): string =>
    s.resource === 'share' ? `openstack share set --status available ${s.id} && ${t.resetTaskStateCommand} ${s.id}` : resetSourceCommands(s.id, shareIds);
  const badShares = ev.shares.filter((x) => x.share.status !== 'available');
  const shareLines = ev.shares.map((x) => `share ${x.share.name ?? x.share.id} (${x.share.id}): status ${x.share.status}${x.share.taskState ? `, task_state ${x.share.taskState}` : ''}, ${x.snapshots.length} snapshot${x.snapshots.length === 1 ? '' : 's'}`);
  const shareIds = ev.shares.map((x) => x.share.id);

  if (isMigrationSource(s)) {
    if (live && isInFlightTaskState(s.taskState)) {
      findings.push({
        state: 'migrating',
        summary: `migrating normally to ${live.host}: ${s.taskState}${s.updatedAt ? ` for ${duration(ev.at - manilaMs(s.updatedAt))}` : ''} so far`,
        evidence: [rec(s), rec(live), ...shareLines],
        steps: [],
      });
    } else {
      findings.push({
        state: 'stuck-migrating',
        summary: `Manila shows ${s.status}/${s.taskState ?? 'none'}, but no migration is in progress anywhere (no destination in ${t.status.migratingTo}${live ? ' with a live task' : ''})`,
        evidence: [rec(s), ...ev.destinations.map(rec), ...shareLines],
        steps: [
          {
            kind: 'manual',
            what: 'reset the source and its shares to usable',
            command: resetCommands(),
            why: 'A reset of status rewrites what Manila believes of the data: first check on both backends (manila-share.log) that the source holds the only live copy. Nothing in Manila moves a stuck server_migrating on.',
          },
        ],
      });
    }
  }

  if (s.status === 'error' && s.taskState === 'migration_error') {
    findings.push({
      state: 'failed-complete',
      summary: `the switchover failed${age(ev.at, s.updatedAt)}: Manila set the source${ev.destinations.length ? ', the destination' : ''} and the shares to error, and cannot say which copy is live`,
      evidence: [rec(s), ...ev.destinations.map(rec), ...shareLines],
      steps: [
        {
          kind: 'manual',
          what: 'find the live copy on the backends, then reset the side that holds it',
          command: `${resetCommands()}   # only if the source holds the live data`,
          why: "A failure in migration_complete is never safe to automate: the driver may have cut over already, and Manila's cleanup of an unused destination could destroy the live copy. Check both backends first (manila-share.log on both hosts).",
        },
      ],
    });
  }

  if (isIdle(s) && (s.taskState === 'migration_cancelled' || s.taskState === 'migration_error')) {
    const cancelled = s.taskState === 'migration_cancelled';
    const healthy = !live && badShares.length === 0;
    findings.push({
      state: cancelled ? 'cancelled-mark' : 'failed-mark',
      summary: `the last migration ${cancelled ? 'was cancelled' : 'failed'}${age(ev.at, s.updatedAt)}; ${healthy ? 'the source and its shares are healthy' : 'the source is not healthy yet'}. Plans block it (${cancelled ? 'LAST_MIGRATION_CANCELLED' : 'LAST_MIGRATION_FAILED'}) until the mark is cleared`,
      evidence: [rec(s), ...shareLines],
      steps: healthy
        ? [
            {
              kind: 'safe',
              what: 'clear the mark',
              command: `${t.resetTaskStateCommand} ${s.id}`,
              why: `The migration is over (the source is ${t.status.idle}, no destination is in ${t.status.migratingTo}, every share is available): the task_state only records how it ended, and clearing it changes that one field. ${cancelled ? '' : 'Fix the cause first (manila-share.log on the destination host), or the next move fails the same way.'}`.trim(),
              action: { type: 'reset-task-state', serverId: s.id, ...(s.resource === 'share' ? { kind: 'share' as const } : {}) },
            },
          ]
        : [{ kind: 'manual', what: 'clear the mark once the shares are available', command: `${t.resetTaskStateCommand} ${s.id}`, why: `Not while ${badShares.map((x) => `${x.share.id} is ${x.share.status}`).join(', ') || 'a destination is still migrating'}.` }],
    });
  }

  for (const d of ev.destinations.filter((x) => x.status === 'error' || x.status === 'inactive')) {
    if (d.taskState === 'migration_success') continue; // the source of a later successful move, not debris
    const held = ev.sharesOnDestinations[d.id] ?? [];
    const canDelete = d.status === 'error' && held.length === 0 && s.status === 'active';
    findings.push({
      state: 'leftover-destination',
      summary: `a leftover destination record on ${d.host} (${d.status}/${d.taskState ?? 'none'}) from a migration that ${d.taskState === 'migration_cancelled' ? 'was cancelled' : 'failed'}; it holds ${held.length} share${held.length === 1 ? '' : 's'}`,
      evidence: [rec(d)],
      steps: canDelete
        ? [{ kind: 'safe', what: `delete the failed destination record ${d.id}`, command: `openstack share server delete ${d.id}`, why: 'It holds no shares and the source is active: Manila tears down the partial copy on the destination and drops the record (Manila refuses with 409 if any share instance is still on it).', action: { type: 'delete-server', serverId: d.id } }]
        : [
            {
              kind: 'manual',
              what: `leave ${d.id} to Manila's cleanup, or remove it`,
              command: d.status === 'inactive' ? `openstack share server set --status error ${d.id} && openstack share server delete ${d.id}` : `openstack share server delete ${d.id}`,
              why:
                d.status === 'inactive'
                  ? "Manila refuses to delete an inactive record (403); its periodic cleanup (automatic_share_server_cleanup) removes unused ones within 10-20 min. Forcing it means a reset of status, which needs a person's judgement."
                  : `It still holds ${plural(held.length, 'share')}, or the source is not active: check where the data is before deleting.`,
            },
          ],
    });
  }

  for (const x of ev.shares) {
    const stuck = x.rules.filter((r) => r.state === 'queued_to_apply' || r.state === 'error');
    if (stuck.length) {
      findings.push({
        state: 'rules-stuck',
        summary: `share ${x.share.name ?? x.share.id}: ${stuck.length} access rule${stuck.length === 1 ? '' : 's'} not applied (${[...new Set(stuck.map((r) => r.state))].join(', ')}); clients may not reach it`,
        evidence: stuck.map((r) => `access rule ${r.id}: ${r.accessType} ${r.accessTo} ${r.accessLevel}, state ${r.state}`),
        steps: stuck.map((r) => ({
          kind: 'manual' as const,
          what: `apply rule ${r.id} again`,
          command: `openstack share access delete ${x.share.id} ${r.id} && openstack share access create ${x.share.id} ${r.accessType} ${r.accessTo} --access-level ${r.accessLevel}`,
          why: 'No Manila API re-applies a rule; any access change on the share makes its host apply them. Deleting and recreating a rule cuts that client off for a moment, so a person chooses when.',
        })),
      });
    }
    const broken = x.instances.filter((i) => i.status === 'error');
    if (broken.length) {
      findings.push({
        state: 'instance-error',
        summary: `share ${x.share.name ?? x.share.id}: ${broken.length} share instance${broken.length === 1 ? '' : 's'} in error${broken.some((i) => i.shareServerId && i.shareServerId !== s.id) ? ' on a destination' : ''}`,
        evidence: broken.map((i) => `share instance ${i.id}: status ${i.status}, share server ${i.shareServerId ?? 'none'}`),
        steps: broken.map((i) => ({
          kind: 'manual' as const,
          what: `decide what instance ${i.id} holds`,
          command: `openstack share instance show ${i.id} && openstack share instance set --status available ${i.id}`,
          why: 'An instance in error after a migration may hold the only good copy, or a partial one: resetting or deleting it can lose data. Never automated.',
        })),
      });
    }
  }

  if (isIdle(s) && !findings.length && badShares.length) {
    findings.push({
      state: 'stuck-migrating',
      summary: `the server is active, but ${badShares.map((x) => `${x.share.id} is ${x.share.status}`).join(', ')} with no migration in progress`,
      evidence: [rec(s), ...shareLines],
      steps: [{ kind: 'manual', what: 'reset the shares', command: badShares.map((x) => `openstack share set --status available ${x.share.id}`).join(' && '), why: 'A reset of status needs a person: check the backend first.' }],
    });
  }

  const context = [
    ...[...ev.messages, ...ev.shares.flatMap((x) => x.messages)].map(
      (m) => `Manila message ${m.id} about ${m.resourceType} ${m.resourceId}${m.createdAt ? ` at ${m.createdAt}` : ''}: "${m.userMessage}"${m.detailId ? ` (detail_id ${m.detailId})` : ''}${m.requestId ? ` [request ${m.requestId}]` : ''}`,
    ),
    ...ev.journal.map((j) => `journal ${j.ts}: ${j.phase}${j.code ? ` ${j.code}` : ''}${j.message ? `: ${j.message}` : ''}`),
  ];
  return { ...(kindOf(s) === 'share' ? { kind: 'share' as const } : {}), server: s.id, host: s.host, status: s.status, taskState: s.taskState, verdict: findings[0]?.state ?? 'healthy', findings, context };
}

/** The safe steps of a diagnosis, in the order `--fix` takes them: records first, the mark last (a plan unblocks only then). */
export function safeSteps(d: Diagnosis): RecoveryStep[] {
  const steps = d.findings.flatMap((f) => f.steps.filter((x) => x.kind === 'safe'));
  return [...steps.filter((x) => x.action?.type === 'delete-server'), ...steps.filter((x) => x.action?.type === 'reset-task-state')];
}
