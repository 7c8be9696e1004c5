/**
 * The one graph walk of the package: breadth-first along a neighbour function, used by `KnowledgeGraph` and the
 * task layer's `GraphView` for ancestors and descendants.
 *
 * @packageDocumentation
 */

/**
 * Breadth-first walk from `start` along `next`: every node reached, nearest first, each once, `start` excluded.
 * Cycles are tolerated.
 *
 * @param start - the node to start from.
 * @param next - the neighbours of a node (e.g. its `is_a` parents).
 * @param maxDepth - stop after this many levels (default unlimited).
 */
export function breadthFirst(start: string, next: (node: string) => readonly string[], maxDepth = Infinity): string[] {
  const seen = new Set<string>([start]);
  const out: string[] = [];
  let frontier = [start];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const level: string[] = [];
    for (const f of frontier) {
      for (const n of next(f)) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.push(n);
        level.push(n);
      }
    }
    frontier = level;
  }
  return out;
}
