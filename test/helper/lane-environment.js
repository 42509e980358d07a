// The jest environment of the integration and e2e tests: Node's, on the test bed of this worker.
//
// `npm test` starts several test beds side by side, each a whole Manila behind its own Keystone
// (own state dir and ports), and lists them in the file MP_TESTBED_LANES names. Worker N
// (JEST_WORKER_ID) takes lane N, so two test files that run at once never share a cloud: their
// migrations, the limits counted from what Manila shows in flight, service restarts and share
// type changes cannot meet. The lane's variables are set in the worker's own environment before
// the test's copy of it is made, so every child process (the CLI, testbed.sh reset) inherits
// them. Without MP_TESTBED_LANES (a file run by hand) the environment's test bed is used.
const fs = require('node:fs');
const { TestEnvironment } = require('jest-environment-node');

/** The lane of a worker (1-based); a worker beyond the list is an error, not lane 1 twice. */
function laneOf(file, workerId) {
  const lane = file.lanes[workerId - 1];
  if (!lane) {
    throw new Error(`jest worker ${workerId} has no test bed: ${process.env.MP_TESTBED_LANES} lists ${file.lanes.length}. Run jest with --maxWorkers=${file.lanes.length} at most.`);
  }
  return lane;
}

class LaneEnvironment extends TestEnvironment {
  constructor(config, context) {
    const lanes = process.env.MP_TESTBED_LANES;
    if (lanes) {
      const lane = laneOf(JSON.parse(fs.readFileSync(lanes, 'utf8')), Number(process.env.JEST_WORKER_ID || '1'));
      for (const [k, v] of Object.entries(lane.env)) process.env[k] = v;
    }
    super(config, context);
  }
}

module.exports = LaneEnvironment;
module.exports.laneOf = laneOf;
