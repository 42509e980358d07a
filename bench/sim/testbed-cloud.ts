import { SimulatedCloud, type SimulatedCloudOptions } from './manila';
import type { ScenarioEnv } from './scenarios';
import { TESTBED_TIMINGS } from './timings';
import { testbedWorld } from './world';

/**
 * The simulator set up as the project's test bed (scripts/testbed/testbed.sh): Zed 2.73, five
 * dummy-driver backends node1@alpha, beta, gamma, faulty (continue raises) and readonly
 * (writable: false), osapi_max_limit 4, continue interval 5 s, six fixtures on node1@alpha.
 */
export function testbedCloud(over: Partial<SimulatedCloudOptions> = {}): SimulatedCloud {
  return new SimulatedCloud({ world: testbedWorld(6), timings: TESTBED_TIMINGS, osapiMaxLimit: 4, release: 'zed', ...over });
}

/** A scenario environment on a simulated cloud: its virtual clock, clients on its MockAgent. */
export function simScenarioEnv(cloud: SimulatedCloud): ScenarioEnv {
  return {
    clock: cloud.clock,
    source: 'simulator (bench/sim, test bed profile)',
    client: (o) => cloud.client({ dispatcher: o.interceptor ? cloud.agent.compose(o.interceptor) : cloud.agent, maxRequestRate: o.maxRequestRate }),
  };
}
