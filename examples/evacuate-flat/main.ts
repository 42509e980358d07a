// For clouds whose backends do not handle share servers (driver_handles_share_servers =
// False): there are no share servers to move, so the evacuation moves each share by itself
// (Manila's share migration) to a pool of the target host. Empty node1@delta onto node1@epsilon,
// two shares at a time.
//
//   manila-placement refresh --out manila-placement.snapshot.json   # read the cloud (OS_CLOUD)
//   manila-placement plan                                           # what would move, and why
//   manila-placement apply --parallel 2                             # move them
import { App } from 'cdktf';
import { HostEvacuation, PlacementStack } from '../../lib';

const app = new App();
const stack = new PlacementStack(app, 'evacuate-flat');

new HostEvacuation(stack, 'delta', {
  host: 'node1@delta',
  targets: ['node1@epsilon'],
  // Snapshots move with the shares (the dummy driver, like most, can).
  preserveSnapshots: true,
  writable: true,
});

app.synth();
