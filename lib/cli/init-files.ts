import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files `manila-placement init` writes for a new placement app, as `cdktf init` does for a
 * cdktf app: a package pinned to this version and to cdktf 0.21, the cdktf.json with the
 * snapshot context, a main.ts with a commented placement, evacuation and rebalance, the
 * .gitignore, a clouds.yaml example, and the CI pipelines of examples/ci.
 */

/** What the files depend on. */
export interface InitOptions {
  /** The app's package name. */
  readonly name: string;
  /** This package's version. */
  readonly version: string;
  /** How package.json names this package: a version range, or e.g. `file:../manila-placement-0.1.0.tgz`. */
  readonly packageSpec: string;
  /** The package's root (for the pipeline files). */
  readonly packageRoot: string;
}

/** Pins of the app's other dependencies: the cdktf line this package is built on. */
export const APP_PINS = { cdktf: '0.21.0', constructs: '10.4.2', typescript: '5.9.3', 'ts-node': '10.9.2', '@types/node': '20.19.43' } as const;

function packageJson(o: InitOptions): string {
  const doc = {
    name: o.name,
    version: '0.1.0',
    private: true,
    description: 'Where our Manila share servers live, declared with manila-placement.',
    scripts: {
      refresh: 'manila-placement refresh',
      plan: 'manila-placement plan',
      'plan:check': 'manila-placement plan --check',
      apply: 'manila-placement apply',
      'apply:pass': 'manila-placement apply --no-wait --auto-approve',
      status: 'manila-placement status',
    },
    dependencies: { 'manila-placement': o.packageSpec, cdktf: APP_PINS.cdktf, constructs: APP_PINS.constructs },
    devDependencies: { typescript: APP_PINS.typescript, 'ts-node': APP_PINS['ts-node'], '@types/node': APP_PINS['@types/node'] },
    engines: { node: '>=20.18.1' },
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

const CDKTF_JSON =
  JSON.stringify(
    {
      language: 'typescript',
      app: 'npx ts-node --transpile-only main.ts',
      output: 'cdktf.out',
      context: { 'manila-placement:snapshot': 'manila-placement.snapshot.json' },
    },
    null,
    2,
  ) + '\n';

const MAIN_TS = `// Where our Manila share servers live. Plan with \`npx manila-placement plan\` (it refreshes a
// snapshot of the cloud, read-only, then synthesizes this app), apply with
// \`npx manila-placement apply\`, or run \`cdktf deploy\` after \`npx manila-placement refresh\`.
import { App } from 'cdktf';
import { HostEvacuation, PlacementStack, Rebalance, SharePlacement, ShareServerPlacement } from 'manila-placement';

void HostEvacuation;
void Rebalance;
void SharePlacement;
void ShareServerPlacement;

const app = new App();
const stack = new PlacementStack(app, 'placement', {
  // Migrations in flight in the cloud at once, whoever started them (also across the parallel
  // local-execs of \`cdktf deploy\`):
  parallel: 4,
  // maxPerSource: 2,
  // maxPerDestination: 2,
});

// One share network's server to a backend host; the switchover only in a maintenance window:
// new ShareServerPlacement(stack, 'tenant-a', {
//   shareNetwork: 'tenant-a-net',
//   host: 'node2@netapp2',
//   completion: { window: { cron: '0 2 * * SAT', durationMinutes: 120, timezone: 'Europe/Berlin' } },
// });

// Empty a backend for maintenance, evenly over two others, at most 20 servers each:
// new HostEvacuation(stack, 'drain-node1', {
//   host: 'node1@netapp1',
//   targets: ['node2@netapp2', 'node3@netapp3'],
//   maxPerTarget: 20,
// });

// On backends without share servers (driver_handles_share_servers = False), the same
// HostEvacuation moves each share by itself to a pool of the targets; or place shares on a pool:
// new SharePlacement(stack, 'archive', {
//   shares: ['archive-01', 'archive-02'],
//   pool: 'node5@netapp5#aggr1',
//   writable: true,
//   preserveSnapshots: true,
// });

// Even out the allocated GiB over a set of backends, at most 10 moves per plan:
// new Rebalance(stack, 'even', {
//   hostPattern: 'node[4-9]@*',
//   objective: 'allocated-gb',
//   maxMoves: 10,
//   reserveRatio: 0.1,
// });

app.synth();
`;

const TSCONFIG =
  JSON.stringify(
    {
      compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, esModuleInterop: true, skipLibCheck: true, types: ['node'] },
      include: ['main.ts'],
    },
    null,
    2,
  ) + '\n';

const GITIGNORE = `node_modules/
cdktf.out/
.manila-placement/
manila-placement.snapshot.json
manila-placement.plan.json
terraform.*.tfstate*
.terraform/
# credentials never go into git: keep them in ~/.config/openstack or the CI's secrets
clouds.yaml
secure.yaml
.clouds.yaml
`;

const CLOUDS_YAML_EXAMPLE = `# Copy to clouds.yaml (it is in .gitignore), or to ~/.config/openstack/clouds.yaml, and select
# the cloud with OS_CLOUD=prod-admin or --os-cloud prod-admin. Share server APIs need the admin
# role. An application credential is the better choice for automation.
clouds:
  prod-admin:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com:5000/v3
      application_credential_id: "..."
      application_credential_secret: "..."
    region_name: RegionOne
    interface: public
    identity_api_version: 3
`;

const README = `# Share server placement

Declared in \`main.ts\` with [manila-placement](https://www.npmjs.com/package/manila-placement).

\`\`\`sh
npm install
export OS_CLOUD=prod-admin            # a clouds.yaml entry (see clouds.yaml.example)
npx manila-placement plan             # what would move, what cannot and why
npx manila-placement plan --check     # also ask Manila's migration_check about every move
npx manila-placement apply            # run the moves
npx manila-placement apply --no-wait  # one short pass (a schedule repeats it until exit 0)
\`\`\`

CI: \`.gitlab-ci.yml\` and \`.github/workflows/manila-placement.yml\` plan on merge requests,
apply on the main branch, and drive long or windowed moves from a schedule.
`;

/** The files of a new app, relative path → content. */
export function initFiles(o: InitOptions): Map<string, string> {
  const ci = path.join(o.packageRoot, 'examples', 'ci');
  return new Map([
    ['package.json', packageJson(o)],
    ['cdktf.json', CDKTF_JSON],
    ['main.ts', MAIN_TS],
    ['tsconfig.json', TSCONFIG],
    ['.gitignore', GITIGNORE],
    ['clouds.yaml.example', CLOUDS_YAML_EXAMPLE],
    ['README.md', README],
    ['.gitlab-ci.yml', fs.readFileSync(path.join(ci, '.gitlab-ci.yml'), 'utf8')],
    ['.github/workflows/manila-placement.yml', fs.readFileSync(path.join(ci, '.github', 'workflows', 'manila-placement.yml'), 'utf8')],
  ]);
}
