import type { ResourceKind } from '../../lib/manila/resource';
import type { BackendSpec } from './backends';
import type { VirtualClock } from './clock';
import type { SimStore } from './model';
import type { Prng } from './prng';
import type { TimingProfile } from './timings';

/**
 * What the simulated API and the simulated share managers share: the database, the clock,
 * the backends, the timings, and the migrations in progress (the managers' own memory, which
 * Manila keeps in the driver and in RPC messages rather than in the API's views).
 */

/** What the driver will do with one migration, drawn when it starts. */
export interface MigrationFate {
  /** Data copy time: phase 1 is done at the first continue call at least this long after the driver started. */
  readonly phase1Ms: number;
  /** The driver raises in continue at the first call at least this long after the driver started. */
  readonly failAfterMs?: number;
  /** The driver raises in migration_complete: Manila sets source, destination and the shares to error (share/manager.py). */
  readonly failComplete?: boolean;
}

/** The flags and target of a migration as the API received them. */
export interface MigrationRequest {
  readonly host: string;
  readonly writable: boolean;
  readonly nondisruptive: boolean;
  readonly preserveSnapshots: boolean;
  /** The share network the server lands on (the new one, or its current one); a share's own network, '' when it has none. */
  readonly targetNetworkId: string;
  /** Share migration only: `preserve_metadata`. */
  readonly preserveMetadata?: boolean;
}

/** How a migration ended. */
export type MigrationOutcome = 'success' | 'error' | 'cancelled' | 'start-error' | 'complete-error';

/**
 * One migration as the managers track it: a share server's, or a share's (`kind: 'share'`, whose
 * source is the share itself, its hosts pools, its destination the new instance).
 */
export interface SimMigration {
  /** What moves. @default 'share-server' */
  readonly kind?: ResourceKind;
  readonly sourceId: string;
  readonly sourceHost: string;
  readonly destHost: string;
  readonly request: MigrationRequest;
  readonly fate: MigrationFate;
  /** Start accepted by the API. */
  readonly startedAt: number;
  destId?: string;
  driverStartedAt?: number;
  continueCalls: number;
  phase1DoneAt?: number;
  completeAt?: number;
  cancelAt?: number;
  /** S left `server_migrating` (or D left `server_migrating_to`, whichever is later); a share: it left `migrating`. */
  endedAt?: number;
  outcome?: MigrationOutcome;
}

/** Decides each migration's fate (durations, failures). */
export type FateOf = (m: {
  readonly kind?: ResourceKind;
  readonly sourceId: string;
  readonly sourceHost: string;
  readonly destHost: string;
  readonly startedAt: number;
}) => MigrationFate;

/** The shared state of one simulated cloud. */
export interface SimContext {
  readonly store: SimStore;
  readonly clock: VirtualClock;
  readonly backends: ReadonlyMap<string, BackendSpec>;
  readonly timings: TimingProfile;
  readonly rng: Prng;
  readonly fateOf: FateOf;
  /** `zed`: get_progress early in phase 1 answers 400; `2024.1`: 200 with empty strings. */
  readonly release: 'zed' | '2024.1';
  /** Migrations in progress, by source id (a share server's or a share's: ids never collide). */
  readonly active: Map<string, SimMigration>;
  /** Every migration, in start order. */
  readonly history: SimMigration[];
  /** manila-share is down (restarting) until this time: no continue call runs, casts wait. */
  shareDownUntil?: number;
  /** A fresh id. */
  newId(): string;
  /** A fresh IP for a new server's allocation. */
  newIp(): string;
}
