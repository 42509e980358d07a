import { z } from 'zod';
import type { Plan } from './types';

/** Schema of a plan file's content (version 1), as `serializePlan` writes it. */

const flags = z.object({ writable: z.boolean(), nondisruptive: z.boolean(), preserveSnapshots: z.boolean() }).strict();
const completion = z.union([
  z.enum(['auto', 'manual']),
  z.object({ window: z.object({ cron: z.string(), durationMinutes: z.number().int().positive(), timezone: z.string().optional() }).strict() }).strict(),
]);
const nextWindow = z.object({ opens: z.string(), closes: z.string() }).strict();
const observed = z
  .object({
    id: z.string(),
    host: z.string(),
    status: z.string(),
    taskState: z.string().nullable(),
    shareNetworkId: z.string().optional(),
    shareNetworkName: z.string().optional(),
    projectId: z.string(),
    shareIds: z.array(z.string()),
    shares: z
      .array(z.object({ id: z.string(), name: z.string().optional(), size: z.number(), protocol: z.string().optional(), snapshots: z.number().int().nonnegative() }).strict())
      .optional(),
  })
  .strict();
const base = { key: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), declaration: z.string() };
const reason = z.object({ code: z.string(), message: z.string() }).strict();

const entry = z.discriminatedUnion('action', [
  z.object({ ...base, action: z.literal('in-sync'), server: observed, host: z.string() }).strict(),
  z
    .object({
      ...base,
      action: z.literal('migrate'),
      server: observed,
      from: z.string(),
      to: z.string(),
      flags,
      newShareNetworkId: z.string().nullable(),
      completion,
      nextWindow: nextWindow.optional(),
      why: z.string().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      action: z.literal('resume'),
      server: observed,
      from: z.string(),
      to: z.string(),
      flags,
      newShareNetworkId: z.string().nullable(),
      completion,
      nextWindow: nextWindow.optional(),
    })
    .strict(),
  z.object({ ...base, action: z.literal('conflict'), server: observed, to: z.string(), migratingTo: z.string().optional(), message: z.string() }).strict(),
  z.object({ ...base, action: z.literal('blocked'), server: observed, to: z.string(), reasons: z.array(reason) }).strict(),
  z.object({ ...base, action: z.literal('unmatched'), message: z.string() }).strict(),
]);

const count = z.number().int().nonnegative();

const hostLoad = z
  .object({
    host: z.string(),
    role: z.enum(['balance', 'drain']),
    before: z.number().nullable(),
    after: z.number().nullable(),
    pinned: count,
    cannotReceive: z.array(z.string()).optional(),
  })
  .strict();
const rebalance = z
  .object({
    declaration: z.string(),
    objective: z.enum(['server-count', 'allocated-gb', 'free-ratio']),
    hosts: z.array(hostLoad),
    moves: count,
    spread: z.object({ before: z.number(), after: z.number() }).strict(),
    tolerance: z.number(),
    balanced: z.boolean(),
    stop: z.enum(['balanced', 'max-moves', 'no-gain', 'drain-blocked']),
    problems: z.array(z.string()),
    notes: z.array(z.string()),
  })
  .strict();

/** The plan content, without its digest. */
export const planSchema = z
  .object({
    kind: z.literal('manila-placement/plan'),
    version: z.literal(1),
    snapshot: z.object({ digest: z.string(), takenAt: z.string(), cloud: z.object({ authUrl: z.string(), endpoint: z.string(), region: z.string().optional() }).strict() }).strict(),
    entries: z.array(entry),
    summary: z.object({ 'in-sync': count, migrate: count, resume: count, conflict: count, blocked: count, unmatched: count }).strict(),
    rebalance: z.array(rebalance).optional(),
  })
  .strict();

/** A plan file: the plan plus `planDigest`. */
export const planFileSchema = planSchema.extend({ planDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/) });

// Compile-time proof that what the schema accepts is a Plan.
const _isPlan = (p: z.infer<typeof planSchema>): Plan => p;
void _isPlan;
