import { didYouMean } from './closest-name.js';
import { fieldPath, type Violation } from './violation.js';

/** What the graph needs of a component: whom it depends on (`hard` or `soft`; both order the start). */
export type DependencyNodes = Readonly<Record<string, { readonly dependsOn: Readonly<Record<string, string>> }>>;

/**
 * Lists what keeps the components from starting in some order: a dependency on a component that is not in the
 * deployment, a component that depends on itself, and each cycle, named once from its alphabetically first
 * member (`components.a.dependsOn: dependency cycle a -> b -> c -> a`).
 */
export function checkDependencies(components: DependencyNodes): Violation[] {
  const violations: Violation[] = [];
  const names = Object.keys(components);
  for (const [name, { dependsOn }] of Object.entries(components)) {
    const path = fieldPath(fieldPath('components', name), 'dependsOn');
    for (const dependency of Object.keys(dependsOn)) {
      if (dependency === name)
        violations.push({ path: fieldPath(path, dependency), reason: 'a component cannot depend on itself' });
      else if (!Object.hasOwn(components, dependency)) {
        violations.push({
          path: fieldPath(path, dependency),
          reason: `no component named "${dependency}" in this deployment${didYouMean(dependency, names)}`,
        });
      }
    }
  }
  for (const cycle of cycles(components)) {
    const [first = ''] = cycle;
    violations.push({
      path: fieldPath(fieldPath('components', first), 'dependsOn'),
      reason: `dependency cycle ${[...cycle, first].join(' -> ')}`,
    });
  }
  return violations;
}

/**
 * The order to start components in: stages where each component depends only on components of earlier
 * stages, names sorted inside a stage so the order is the same every time. Stop in the reverse order.
 * Dependencies on missing components and on itself are ignored here (`checkDependencies` reports them);
 * a cycle cannot be ordered, so it throws: check first.
 */
export function startOrder(components: DependencyNodes): string[][] {
  const waiting = new Map(Object.keys(components).map((name) => [name, edges(components, name)]));
  const started = new Set<string>();
  const stages: string[][] = [];
  while (waiting.size > 0) {
    const stage = [...waiting]
      .filter(([, dependencies]) => dependencies.every((d) => started.has(d)))
      .map(([name]) => name)
      .sort();
    if (stage.length === 0) throw new Error(`startOrder: dependency cycle among ${[...waiting.keys()].sort().join(', ')}`);
    for (const name of stage) waiting.delete(name);
    for (const name of stage) started.add(name);
    stages.push(stage);
  }
  return stages;
}

function edges(components: DependencyNodes, name: string): string[] {
  return Object.keys(components[name]?.dependsOn ?? {}).filter((d) => d !== name && Object.hasOwn(components, d));
}

/** One cycle per strongly connected group of two or more components (Tarjan), each starting at its first name. */
function cycles(components: DependencyNodes): string[][] {
  const graph = new Map(
    Object.keys(components)
      .sort()
      .map((name) => [name, edges(components, name).sort()]),
  );
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (name: string): void => {
    const own = index.size;
    index.set(name, own);
    low.set(name, own);
    stack.push(name);
    for (const next of graph.get(name) ?? []) {
      if (!index.has(next)) visit(next);
      if (stack.includes(next)) low.set(name, Math.min(low.get(name) ?? own, low.get(next) ?? own));
    }
    if (low.get(name) !== own) return;
    const group = stack.splice(stack.indexOf(name));
    if (group.length > 1) found.push(cycleThrough(graph, new Set(group)));
  };
  for (const name of graph.keys()) if (!index.has(name)) visit(name);
  return found.sort(([a = ''], [b = '']) => (a < b ? -1 : 1));
}

/** A shortest path from the group's first name back to itself, staying inside the group. */
function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, group: ReadonlySet<string>): string[] {
  const [start = ''] = [...group].sort();
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (const name of queue) {
    for (const next of graph.get(name) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [name];
        for (let at = name; at !== start; path.unshift(at)) at = cameFrom.get(at) ?? start;
        return path;
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, name);
        queue.push(next);
      }
    }
  }
  return [start];
}
