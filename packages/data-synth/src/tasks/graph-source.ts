/**
 * The read-only graph interface of the task layer (its own module, so that `graph.ts` and `types.ts` do not import
 * each other).
 *
 * @packageDocumentation
 */
import type { Entity, EntityKind, Predicate, Triple } from '../kg/types';

/**
 * The read-only graph interface the tasks need. The package's `KnowledgeGraph` satisfies it; tests may use a
 * small inline graph. `parents`/`children`/`siblings` may return ids or entities.
 */
export interface TaskGraphSource {
  entity(id: string): Entity | undefined;
  parents(id: string): ReadonlyArray<string | Entity>;
  children(id: string): ReadonlyArray<string | Entity>;
  siblings?(id: string): ReadonlyArray<string | Entity>;
  triples(query?: { subject?: string; predicate?: Predicate; object?: string }): Iterable<Triple>;
  entities(kind?: EntityKind): Iterable<Entity>;
}
