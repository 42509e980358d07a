// Three projects: unit (no network beyond loopback mocks), integration (the real Manila test
// bed) and e2e (the CLI and cdktf synth as a user runs them). Integration and e2e files run side
// by side, one per jest worker, each worker on a test bed of its own (test/helper/lane-environment.js);
// the slowest files start first (test/helper/sequencer.js).
const common = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  setupFilesAfterEnv: ['<rootDir>/test/helper/setup.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
const onTestbed = { ...common, testEnvironment: '<rootDir>/test/helper/lane-environment.js' };
module.exports = {
  testSequencer: '<rootDir>/test/helper/sequencer.js',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], setupFilesAfterEnv: [...common.setupFilesAfterEnv, '<rootDir>/test/helper/unit-tmp.ts'] },
    { ...onTestbed, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...onTestbed, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
