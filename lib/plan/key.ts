/**
 * Entry keys: stable names for plan entries that are safe as file names, Terraform resource
 * names and CLI arguments (`[A-Za-z_][A-Za-z0-9_-]*`). A key is the declaration path plus the
 * id of the server's lineage root, so it does not change when the server migrates and gets a
 * new id.
 */

/** What every entry key matches; the plan file's schema checks keys with it too. */
export const KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** The declaration path as a key prefix: `/` becomes `_`, anything else unsafe becomes `-`. */
export function declarationSlug(path: string): string {
  const slug = path.replace(/\//g, '_').replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z_]/.test(slug) ? slug : `_${slug}`;
}

/** Id part of a key: lineage root ids are UUIDs, but anything unsafe is replaced all the same. */
function idPart(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Key of the entry for one server lineage of a declaration. */
export function entryKey(declarationPath: string, lineageRootId: string): string {
  return `${declarationSlug(declarationPath)}--${idPart(lineageRootId)}`;
}

/** Key of the `unmatched` entry of a declaration. */
export function unmatchedKey(declarationPath: string): string {
  return `${declarationSlug(declarationPath)}--unmatched`;
}

/** True when `key` can serve as a Terraform resource name and a `--move` argument. */
export function isSafeKey(key: string): boolean {
  return KEY_PATTERN.test(key);
}

/**
 * Keys of the entries of some declarations, each named by its construct path or its slug (what
 * a declaration's Terraform resource passes to `apply --declaration`). A declaration with no
 * entry (an empty host to evacuate, a balanced rebalance) gives none.
 */
export function keysOfDeclarations(entries: ReadonlyArray<{ readonly key: string; readonly declaration: string }>, names: readonly string[]): string[] {
  const wanted = new Set(names);
  return entries.filter((e) => wanted.has(e.declaration) || wanted.has(declarationSlug(e.declaration))).map((e) => e.key);
}
