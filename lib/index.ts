// Public API of manila-placement: the constructs and their props, the Manila client, planning,
// the apply runner, the plan and snapshot types, and the error classes. Everything else under
// lib/ is internal: import it by module path only inside this repository.

// Constructs (cdktf)
export { PlacementStack } from './constructs/placement-stack';
export type { PlacementStackProps } from './constructs/placement-stack';
export { ShareServerPlacement } from './constructs/share-server-placement';
export { SharePlacement } from './constructs/share-placement';
export type { SharePlacementProps } from './constructs/share-placement';
export type { ShareServerPlacementProps } from './constructs/share-server-placement';
export { HostEvacuation } from './constructs/host-evacuation';
export type { HostEvacuationProps } from './constructs/host-evacuation';
export { Rebalance } from './constructs/rebalance';
export type { RebalanceProps } from './constructs/rebalance';
export type { MigrationDemands } from './constructs/demands';
export type { MoveResourceType } from './constructs/declaration-resource';
export { SNAPSHOT_CONTEXT_KEY, DEFAULT_SNAPSHOT_FILE } from './snapshot/file';

// Rebalancing helpers
export { OBJECTIVE_DEFAULTS as REBALANCE_DEFAULTS } from './plan/rebalance-model';
export { REBALANCE_OBJECTIVES } from './plan/schema';
export { compileHostPattern, hostPatternProblem } from './plan/host-pattern';
export type { HostMatcher } from './plan/host-pattern';

// Manila and Keystone client
export { ManilaClient } from './manila/client';
export { BudgetSkipped } from './manila/budget';
export type { ManilaClientOptions, ShareServerFilters, RequestOptions } from './manila/client';
export { resolveCloudConfig } from './manila/config';
export type { CloudConfig, AuthConfig, PasswordAuth, ApplicationCredentialAuth, TokenAuth, ConfigSources, ConfigOverrides } from './manila/config';
export type { Exchange, RetryOptions } from './manila/http';
export type { Clock } from './util/clock';
export type { RequestPriority } from './manila/budget';
export type {
  ShareServer,
  Service,
  Pool,
  ShareNetwork,
  ShareNetworkSubnet,
  Share,
  ShareType,
  Snapshot,
  AccessRule,
  ExportLocation,
  ShareInstance,
  TaskState,
  MigrationFlags,
  MigrationParams,
  MigrationCheckResult,
  MigrationProgress,
} from './manila/types';

// Snapshot of the cloud
export { parseSnapshotText } from './snapshot/model';
export type { CloudSnapshot, SnapshotShareServer, SnapshotShare, SnapshotService, SnapshotPool, SnapshotShareType, SnapshotShareNetwork } from './snapshot/model';

// Declarations and plans
export { plan } from './plan/plan';
export { serializePlan, parsePlanText } from './plan/file';
export type {
  Completion,
  CompletionMode,
  NextWindow,
  DeclarationKind,
  ServerSelector,
  PlacementDeclaration,
  EvacuationDeclaration,
  RebalanceDeclaration,
  Declaration,
  ObservedServer,
  ObservedShare,
  BlockedReason,
  PlanAction,
  InSyncEntry,
  MigrateEntry,
  ResumeEntry,
  ConflictEntry,
  BlockedEntry,
  UnmatchedEntry,
  PlanEntry,
  Plan,
  RebalanceObjective,
  RebalanceRole,
  RebalanceHostLoad,
  RebalanceStop,
  RebalanceExplanation,
} from './plan/types';
export type { CompletionWindow } from './plan/window';
export type { BlockedCode } from './plan/blockers';

// Applying a plan
export { applyPlan } from './apply/runner';
export type { ApplyResult } from './apply/runner';
export type { ApplyOptions } from './apply/options';
export { EXIT } from './apply/result';
export type { MoveResult } from './apply/result';
export type { RunnerEvent, MoveEvent, RunEvent, MovePhase, ShareExports } from './apply/events';
export type { RunLocks } from './apply/lock';

// Errors
export { ManilaPlacementError, ConfigError, InputError, AuthError, ManilaApiError, TransportError, TlsError, ProtocolError, MicroversionError, DeadlineError } from './errors';
export { LockTimeoutError } from './apply/lock';
export { DeclarationError } from './constructs/synth-problems';
