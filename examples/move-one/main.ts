// Move the share server of share network mp-sn-1 to node1@beta.
//
//   manila-placement refresh --out manila-placement.snapshot.json   # read the cloud (OS_CLOUD)
//   cdktf synth                                                     # plan: cdktf.out/stacks/move-one/manila-placement.plan.json
//   cdktf deploy                                                    # run the migration
import { App } from 'cdktf';
import { PlacementStack, ShareServerPlacement } from '../../lib';

const app = new App();
const stack = new PlacementStack(app, 'move-one');

new ShareServerPlacement(stack, 'mp-sn-1-to-beta', {
  shareNetwork: 'mp-sn-1',
  host: 'node1@beta',
});

app.synth();
