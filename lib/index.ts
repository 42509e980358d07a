// Public API of manila-placement.

// Errors
export * from './errors';

// Manila and Keystone client
export { resolveCloudConfig, cloudsYamlCandidates, normaliseAuthUrl } from './manila/config';
export type { CloudConfig, AuthConfig, PasswordAuth, ApplicationCredentialAuth, TokenAuth, ConfigSources, ConfigOverrides } from './manila/config';
export { ManilaClient, dispatcherFor } from './manila/client';
export type { ManilaClientOptions, ShareServerFilters, RequestOptions } from './manila/client';
export { HttpTransport, systemClock } from './manila/http';
export type { Clock, Exchange, RetryOptions } from './manila/http';
export { KeystoneSession, findManilaEndpoint, authRequestBody, MANILA_SERVICE_TYPES } from './manila/keystone';
export type { KeystoneToken, CatalogService, CatalogEndpoint } from './manila/keystone';
export { MIN_MICROVERSION, MAX_MICROVERSION, compareMicroversions } from './manila/microversion';
export * from './manila/types';

// Snapshot of the cloud
export * from './snapshot/model';

// Plans
export * from './plan/types';

// Planning (pure)
export { plan } from './plan/plan';
export { serializePlan, parsePlanText, planDigest, PLAN_FILE_NAME } from './plan/file';
export { declarationProblems } from './plan/overlap';
export type { DeclarationProblem } from './plan/overlap';
export { normalizeSnapshot, planSnapshotDigest } from './plan/normalize';
export { BLOCKED_CODES } from './plan/blockers';
export type { BlockedCode } from './plan/blockers';
export { hostProblem, isValidHost, backendName } from './plan/host';
export { entryKey, isSafeKey } from './plan/key';

// Constructs (cdktf)
export { PlacementStack } from './constructs/placement-stack';
export type { PlacementStackProps } from './constructs/placement-stack';
export { ShareServerPlacement } from './constructs/share-server-placement';
export type { ShareServerPlacementProps } from './constructs/share-server-placement';
export { HostEvacuation } from './constructs/host-evacuation';
export type { HostEvacuationProps } from './constructs/host-evacuation';
export type { MigrationDemands } from './constructs/demands';
export { moveTriggers, moveCommand } from './constructs/move-resource';
export type { MoveResourceType } from './constructs/move-resource';
export { SNAPSHOT_CONTEXT_KEY, DEFAULT_SNAPSHOT_FILE } from './constructs/snapshot-file';
export { defaultRunnerCommand } from './constructs/runner-command';

// Rebalancing
export { Rebalance } from './constructs/rebalance';
export type { RebalanceProps } from './constructs/rebalance';
export { compileHostPattern, hostPatternProblem } from './plan/host-pattern';
export type { HostMatcher } from './plan/host-pattern';
export { OBJECTIVE_DEFAULTS as REBALANCE_DEFAULTS, REBALANCE_OBJECTIVES } from './plan/rebalance-model';
