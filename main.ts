// The repository itself is a cdktf app: the demo's declaration (`npm run demo` applies it from
// examples/evacuate-alpha; this is the same). Against the test bed:
//
//   eval "$(bash scripts/testbed/testbed.sh env)" && export OS_CLOUD=testbed
//   node bin/manila-placement plan               # refresh (read-only), synth, what would move
//   node bin/manila-placement apply              # run the moves
//   CHECKPOINT_DISABLE=1 npx cdktf synth         # after `node bin/manila-placement refresh`
import { App } from 'cdktf';
import { HostEvacuation, PlacementStack } from './lib';

const app = new App();
const stack = new PlacementStack(app, 'evacuate-alpha');

// Empty node1@alpha: spread its share servers evenly over node1@beta and node1@gamma.
new HostEvacuation(stack, 'alpha', {
  host: 'node1@alpha',
  targets: ['node1@beta', 'node1@gamma'],
});

app.synth();
