// Empty node1@alpha: spread its share servers evenly over node1@beta and node1@gamma.
// The demo (`npm run demo`) applies it; the repository root's cdktf.json runs it too, so
// `manila-placement plan` / `apply` and `cdktf synth` also work at the root.
//
//   manila-placement refresh --out manila-placement.snapshot.json   # read the cloud (OS_CLOUD)
//   cdktf synth                                                     # plan: cdktf.out/stacks/evacuate-alpha/manila-placement.plan.json
//   cdktf deploy                                                    # run the migrations
import { App } from 'cdktf';
import { HostEvacuation, PlacementStack } from '../../lib';

const app = new App();
const stack = new PlacementStack(app, 'evacuate-alpha');

new HostEvacuation(stack, 'alpha', {
  host: 'node1@alpha',
  targets: ['node1@beta', 'node1@gamma'],
});

app.synth();
