import { Construct } from 'constructs';
import type { MigrationFlags } from '../manila/types';
import type { Declaration } from '../plan/types';
import { markDeclaration, plannerOf, type IDeclarationSource } from './declaration';
import { completionOf, flagsOf, type MigrationDemands } from './demands';
import { outsidePlacementStack } from './errors';

/** What a declaration construct builds from its own props: everything but the path, flags and completion. */
export type DeclarationBody<D extends Declaration> = Omit<D, 'path' | 'flags' | 'completion'>;

/** How a declaration construct turns its props into a declaration. */
export interface DeclarationParts<D extends Declaration> {
  /** The construct's name in messages, e.g. `HostEvacuation`. */
  readonly typeName: string;
  /** The props every declaration has: the migration flags and the completion policy. */
  readonly demands: MigrationDemands;
  /**
   * Validates the construct's own props (throwing at once, with the prop and value quoted) and
   * returns its part of the declaration. Runs before the flags and the completion are
   * checked, so a bad selector or host is the first thing reported.
   */
  readonly body: (path: string) => DeclarationBody<D>;
  /**
   * Validates the props that can only be judged against the validated flags (nondisruptive
   * forbids a new share network) and returns the fields they add, which follow the flags in
   * the declaration. Runs before the completion is checked.
   * @default - no prop depends on the flags
   */
  readonly afterFlags?: (path: string, flags: MigrationFlags) => Partial<DeclarationBody<D>>;
}

/**
 * The base of ShareServerPlacement, HostEvacuation and Rebalance. It validates what every
 * declaration shares (flags, completion), marks the construct so that the PlacementStack above
 * finds it without importing it, and takes its validation from that stack: the stack holds the
 * snapshot and the plan, so it alone can tell that a selector matches nothing or a host is unknown.
 */
export abstract class DeclarationConstruct<D extends Declaration> extends Construct implements IDeclarationSource {
  private readonly declaration: D;

  protected constructor(scope: Construct, id: string, parts: DeclarationParts<D>) {
    super(scope, id);
    const path = this.node.path;
    const { kind, ...body } = parts.body(path);
    const flags = flagsOf(path, parts.demands);
    const rest = parts.afterFlags?.(path, flags);
    // kind and path lead, so the declaration reads (and serializes) as it always has
    this.declaration = { kind, path, ...body, flags, ...rest, completion: completionOf(path, parts.demands) } as D;
    markDeclaration(this);
    this.node.addValidation({
      validate: () => {
        const planner = plannerOf(this);
        return planner ? planner.errorsFor(path) : [outsidePlacementStack(path, parts.typeName)];
      },
    });
  }

  /** The declaration as plain data, for `plan()`. */
  public toDeclaration(): D {
    return this.declaration;
  }
}
