import { Command, Option } from 'commander';
import { ManilaPlacementError } from '../errors';
import { APPLY_DEFAULTS } from '../apply/options';
import { EXIT } from '../apply/result';
import { DEFAULT_MAX_REQUEST_RATE } from '../manila/budget';
import { packageVersion } from '../package-root';
// Commands load when run: `status` and `--help` then skip the modules of plan and apply.
const commands = {
  refresh: () => import('./commands/refresh'),
  plan: () => import('./commands/plan'),
  apply: () => import('./commands/apply'),
  doctor: () => import('./commands/doctor'),
  status: () => import('./commands/status'),
  cancel: () => import('./commands/cancel'),
  servers: () => import('./commands/servers'),
  init: () => import('./commands/init'),
  report: () => import('./commands/report'),
};

/** Adds the options every command takes, named as the `openstack` client names them. */
/** A repeatable option's values, in order. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withCloudOptions(cmd: Command): Command {
  return cmd
    .option('--os-cloud <name>', 'cloud from clouds.yaml (default: OS_CLOUD)')
    .option('--os-region-name <region>', 'catalog region (default: OS_REGION_NAME, clouds.yaml region_name)')
    .option('--os-interface <interface>', 'catalog interface: public, internal or admin (default: OS_INTERFACE or public)')
    .option('--os-endpoint-override <url>', "Manila endpoint to use instead of the catalog's (default: OS_SHARED_FILE_SYSTEM_ENDPOINT_OVERRIDE)")
    .option('--os-cacert <file>', 'CA bundle for TLS verification (default: OS_CACERT, clouds.yaml cacert)')
    .option('--insecure', 'do not verify TLS certificates (prints a warning)')
    .option('--timeout <seconds>', 'per-request timeout; a read that timed out is retried with twice the time, up to 4x (default: 120)')
    .option('--debug', 'print every API call (method, path, status, request id; never headers or secrets) on stderr');
}

/** Builds the command line program. */
export function program(): Command {
  const prog = new Command('manila-placement')
    .description('Declare where OpenStack Manila share servers live, plan the moves, and migrate them until the cloud matches.')
    .version(packageVersion())
    .configureOutput({
      // Usage mistakes look like every other error: a code, what is wrong, what to do.
      outputError: (str, write) => write(`Error [MP_USAGE]: ${str.replace(/^error: /, '').trim()}\n  hint: see \`manila-placement <command> --help\`.\n`),
    })
    .addHelpText(
      'after',
      `
Credentials come from clouds.yaml (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack,
/etc/openstack; secure.yaml merged) selected by --os-cloud or OS_CLOUD, or from OS_* variables.
Share server APIs need the admin role.

Exit codes: plan --detailed-exitcode (or --check): 0 no changes, 1 error, 2 changes,
                   3 some move blocked (by the snapshot or by Manila's check), in conflict or unmatched.
            apply: 0 all done, 1 error, 3 some moves blocked/failed/stale/cancelled and none
                   still running, 4 some moves not finished (still running after --no-wait,
                   even if another failed; manual completion, a closed window, deadline,
                   detached), 5 Manila or Keystone unreachable for longer than --outage-limit
                   (the migrations go on in Manila; a rerun resumes), 130 interrupted.

Limits (--parallel, --max-per-*) count migrations in flight as Manila shows them, so they hold
across runner processes on this machine (an inter-process lock under MANILA_PLACEMENT_LOCK_DIR,
default <tmp>/manila-placement-locks) and include migrations started by hand. For windowed or
hours-long moves, run \`apply --no-wait\` from a schedule until it exits 0.`,
    );

  withCloudOptions(prog.command('refresh'))
    .description('read the cloud (read-only) and write a snapshot for synth')
    .option('--app <dir>', 'cdktf app whose snapshot path (cdktf.json context manila-placement:snapshot) to write', '.')
    .option('--out <file>', 'write the snapshot here instead')
    .action((o) => run(async () => (await commands.refresh()).refreshCommand(o)));

  withCloudOptions(prog.command('plan'))
    .description('refresh, synth the cdktf app and show what would move')
    .option('--app <dir>', 'directory of the cdktf app', '.')
    .option('--snapshot <file>', 'use this snapshot instead of refreshing')
    .option('--max-snapshot-age <seconds>', 'refuse a --snapshot older than this', '86400')
    .option('--json', 'print the plan(s) as JSON (same as --format json)')
    .option('--format <format>', 'text, json, or markdown (a summary for a merge-request comment)', 'text')
    .option('--check', "ask Manila's migration_check (read-only) about every move: a refused move shows as blocked")
    .option('--verbose', 'every move on its own lines, with its flags, window, shares, tenants and key (default: moves grouped by source and destination)')
    .option('--detailed-exitcode', 'exit 0 when nothing would change, 2 when something would, 3 when a move is blocked, 1 on error')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .action((o) => run(async () => (await commands.plan()).planCommand(o)));

  withCloudOptions(prog.command('apply'))
    .description('run the moves of a plan (planning first unless --plan is given)')
    .option('--app <dir>', 'directory of the cdktf app', '.')
    .option('--plan <file>', 'apply this plan file (written by synth beside cdk.tf.json)')
    .option('--snapshot <file>', 'plan from this snapshot instead of refreshing')
    .option('--max-snapshot-age <seconds>', 'refuse a --snapshot older than this', '86400')
    .addOption(new Option('--move <key...>', 'only these moves (plan entry keys)'))
    .addOption(new Option('--declaration <path...>', "only the moves of these declarations (construct path or its slug, as a declaration's Terraform resource runs it)"))
    .option('--auto-approve', 'do not ask for confirmation')
    .option('--complete', 'complete moves whose completion is manual or windowed once phase 1 is done (overrides the window)')
    .option('--replan', 'move servers from where they are now even if the plan saw them elsewhere, and retry failed or cancelled ones')
    .option('--no-wait', `one reconcile pass: start what the limits allow, complete what is ready (and watch that switchover, up to ${APPLY_DEFAULTS.switchoverWatchMs / 60_000} min), report; exit 4 while work remains, 0 when all is done`)
    .option('--no-wait-for-window', 'a move at phase 1 done outside its maintenance window ends the run (exit 4) instead of waiting')
    .option('--parallel <n>', 'migrations in flight in the cloud at once, as Manila shows them (whoever started them)', String(APPLY_DEFAULTS.parallel))
    .option('--max-per-source <n>', 'migrations in flight from one source host')
    .option('--max-per-destination <n>', 'migrations in flight toward one destination host')
    .option('--poll-interval <seconds>', 'first time between two reads of a migration; it grows while nothing changes', String(APPLY_DEFAULTS.pollIntervalMs / 1000))
    .option('--max-poll-interval <seconds>', 'longest time between two reads of a migration', String(APPLY_DEFAULTS.maxPollIntervalMs / 1000))
    .option('--max-request-rate <n>', 'most Manila requests per second, whatever the number of migrations', String(DEFAULT_MAX_REQUEST_RATE))
    .option('--phase1-timeout <seconds>', 'longest wait for phase 1 (Manila polls the driver every 900 s by default)', String(APPLY_DEFAULTS.phase1TimeoutMs / 1000))
    .option('--complete-timeout <seconds>', 'longest wait from complete to the destination being active', String(APPLY_DEFAULTS.completeTimeoutMs / 1000))
    .option('--outage-limit <duration>', 'longest outage of Manila or Keystone to ride out (reads go on with backoff up to --max-poll-interval); past it, exit 5 and a rerun resumes', `${APPLY_DEFAULTS.outageLimitMs / 60_000}m`)
    .option('--cancel-on-timeout', 'cancel a migration whose phase 1 passes its deadline (default: leave it running)')
    .option('--no-verify', 'skip checking shares, access rules and snapshots after each move')
    .option('--json', 'JSON lines on stdout (the default when stdout is not a terminal)')
    .option('--journal <file>', 'JSON-lines audit log of every API call and transition', '.manila-placement/journal.jsonl')
    .option('--notify <url>', 'POST a JSON notification here on: waiting for a window, a move failed or blocked, an outage begun or ended, the run finished (repeatable; docs/notifications.md)', collect, [])
    .option('--notify-format <format>', 'json (docs/notifications.md), slack or teams (a text for an incoming webhook)', 'json')
    .option('--notify-command <cmd>', 'run this shell command for each notification, its JSON on stdin (repeatable)', collect, [])
    .option('--notices <dir>', 'write a tenant notice per project (markdown and CSV: shares, read-only window, old -> new export locations) into this directory')
    .option('--no-color', 'no colours (also NO_COLOR)')
    .action((o) => run(async () => (await commands.apply()).applyCommand(o)));

  withCloudOptions(prog.command('doctor'))
    .description('diagnose share servers (and shares without a share server) with a mark, a leftover record or a stuck state (all such, or those named), with the evidence and the recovery')
    .argument('[id...]', 'share server or share ids (default: every server, and every share without a share server, with a mark, a leftover destination or a migration state)')
    .option('--fix', 'do the steps the evidence shows safe (clear a mark of a migration that is over, delete a failed destination record without shares), one server at a time; print the rest')
    .option('--auto-approve', 'with --fix: do not ask')
    .option('--json', 'print JSON')
    .option('--journal <file>', 'journal to read the runs from, and to append every call of --fix to', '.manila-placement/journal.jsonl')
    .addHelpText('after', '\nExit codes: 0 nothing needs attention, 2 some server needs attention (after --fix: what is left), 1 error.')
    .action((servers: string[], o) => run(async () => (await commands.doctor()).doctorCommand(servers, o)));

  withCloudOptions(prog.command('status'))
    .description('list share server migrations in flight in the cloud')
    .option('--json', 'print JSON')
    .action((o) => run(async () => (await commands.status()).statusCommand(o)));

  withCloudOptions(prog.command('servers'))
    .description('list share servers by host, with their share network and shares')
    .option('--host <host>', 'only this host (name@backend)')
    .option('--all', 'also leftover records of cancelled or failed migrations')
    .option('--json', 'print JSON')
    .action((o) => run(async () => (await commands.servers()).serversCommand(o)));

  withCloudOptions(prog.command('cancel'))
    .description('cancel in-flight migrations (allowed during phase 1 and at phase 1 done)')
    .argument('[id...]', 'share server ids (the source of the migration), or ids of shares migrating by themselves')
    .option('--host <host>', 'every migration from this host')
    .option('--all', 'every migration in flight')
    .option('--no-wait', 'do not wait for Manila to report migration_cancelled')
    .option('--json', 'print JSON')
    .action((ids, o) => run(async () => (await commands.cancel()).cancelCommand(ids, o)));

  prog
    .command('report')
    .description('write a self-contained HTML page of a rollout from its journal: a timeline per move across runs, API calls and errors, outcomes')
    .option('--journal <file>', 'journal written by apply', '.manila-placement/journal.jsonl')
    .option('--out <file>', 'HTML file to write (atomically)', 'manila-placement-report.html')
    .action((o) => run(async () => (await commands.report()).reportCommand(o)));

  prog
    .command('init')
    .description('scaffold a new placement app (package.json, cdktf.json, main.ts, .gitignore, clouds.yaml.example, CI pipelines); never overwrites a file')
    .argument('[dir]', 'where to create it', '.')
    .option('--package-spec <spec>', 'how package.json names manila-placement (default: ^<this version>), e.g. file:../manila-placement-0.1.0.tgz')
    .action((dir, o) => run(async () => (await commands.init()).initCommand(dir, o)));

  return prog;
}

/** Runs a command; turns known errors into a clear message and exit 1. */
async function run(fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (e) {
    const json = process.argv.includes('--json');
    if (e instanceof ManilaPlacementError) {
      if (json) process.stdout.write(JSON.stringify({ type: 'error', ...e.toJSON() }) + '\n');
      process.stderr.write(`Error [${e.code}]: ${e.message}\n  hint: ${e.hint}\n`);
    } else {
      process.stderr.write(`Error [MP_INTERNAL]: ${(e as Error).stack ?? String(e)}\n  hint: this is a bug in manila-placement; please report it.\n`);
    }
    process.exitCode = EXIT.ERROR;
  }
}

/** Entry point of the `manila-placement` command. */
export async function main(argv: string[] = process.argv): Promise<void> {
  await program().parseAsync(argv);
}

if (require.main === module) void main();
