import type { z } from 'zod';

/**
 * Validates `value` against `schema` and returns what the schema makes of it. On failure, throws
 * the error `fail` builds from the first issue and that issue's path (`entries.0.key`, or
 * `(top level)`): every file the tool reads reports its first problem the same way.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, fail: (issue: z.core.$ZodIssue, path: string) => Error): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw fail(issue, issue.path.join('.') || '(top level)');
}
