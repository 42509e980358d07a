import { type BackendSpec, poolNamesOf } from './backends';
import type { SimStore } from './model';

/**
 * The pools the scheduler knows (`host@backend#pool`, each backend's) and what the share
 * instances on them take: a share's own instance on its pool, and a migrating share's
 * destination instance on its pool too (Manila counts both while the migration runs).
 */

/** A pool and its backend. */
export interface PoolRef {
  readonly name: string;
  readonly backend: BackendSpec;
}

/** Every pool, in backend order. */
export function allPools(backends: Iterable<BackendSpec>): PoolRef[] {
  return [...backends].flatMap((backend) => poolNamesOf(backend).map((name) => ({ name, backend })));
}

/** The pool whose name is exactly `name` (the scheduler's exact-string match), if any. */
export function findPool(backends: ReadonlyMap<string, BackendSpec>, name: string): PoolRef | undefined {
  const backend = backends.get(name.split('#')[0]);
  return backend && poolNamesOf(backend).includes(name) ? { name, backend } : undefined;
}

/** GiB allocated on each pool, by pool name. */
export function allocatedByPool(store: SimStore): Map<string, number> {
  const out = new Map<string, number>();
  const add = (pool: string, gb: number): void => void out.set(pool, (out.get(pool) ?? 0) + gb);
  for (const sh of store.shares.values()) {
    add(sh.host, sh.size);
    if (sh.destination) add(sh.destination.host, sh.size);
  }
  return out;
}
