// Even out the share servers of node1@alpha, node1@beta and node1@gamma by count, with the
// fewest migrations.
//
//   manila-placement refresh --out manila-placement.snapshot.json   # read the cloud (OS_CLOUD)
//   manila-placement plan                                           # the moves, and each host's load before and after
//   manila-placement apply                                          # run the moves (or: cdktf synth && cdktf deploy)
import { App } from 'cdktf';
import { PlacementStack, Rebalance } from '../../lib';

const app = new App();
const stack = new PlacementStack(app, 'rebalance');

new Rebalance(stack, 'by-count', {
  hosts: ['node1@alpha', 'node1@beta', 'node1@gamma'],
  objective: 'server-count',
  // tolerance: 1 (default): hosts may differ by one server;
  // minGain: 1 (default): never a move that would just swap two hosts.
});

app.synth();
