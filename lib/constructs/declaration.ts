import type { IConstruct } from 'constructs';
import type { Declaration } from '../plan/types';

/**
 * How declaration constructs and the PlacementStack find each other without importing each
 * other: declarations carry one symbol, the stack another.
 */

const DECLARATION = Symbol.for('manila-placement/declaration');
const PLANNER = Symbol.for('manila-placement/planner');

/** A construct that declares where share servers should live. */
export interface IDeclarationSource extends IConstruct {
  /** The declaration as plain data, for `plan()`. */
  toDeclaration(): Declaration;
}

/** What a declaration asks of the stack that plans it. */
export interface IPlanner extends IConstruct {
  /** Validation errors about one declaration (e.g. its selector matched nothing, or its hosts do not resolve). */
  errorsFor(declarationPath: string): string[];
}

/** Marks a construct as a declaration source. */
export function markDeclaration(c: IDeclarationSource): void {
  Object.defineProperty(c, DECLARATION, { value: true, enumerable: false });
}

/** True for ShareServerPlacement, HostEvacuation and any other marked declaration. */
export function isDeclarationSource(c: IConstruct): c is IDeclarationSource {
  return (c as unknown as Record<symbol, unknown>)[DECLARATION] === true;
}

/** Marks a construct as the planner of the declarations below it. */
export function markPlanner(c: IPlanner): void {
  Object.defineProperty(c, PLANNER, { value: true, enumerable: false });
}

/** The nearest planner above `c`, if any. */
export function plannerOf(c: IConstruct): IPlanner | undefined {
  const scopes = c.node.scopes;
  for (let i = scopes.length - 2; i >= 0; i--) {
    const s = scopes[i] as unknown as Record<symbol, unknown>;
    if (s[PLANNER] === true) return scopes[i] as IPlanner;
  }
  return undefined;
}
