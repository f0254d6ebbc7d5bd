import { ApiObject, App, Chart, DependencyGraph, Names } from 'cdk8s';
import { IConstruct, Node } from 'constructs';

/*
 * The steps of cdk8s's `App.synth()` (cdk8s 2.70, lib/app.js), done once for the whole app.
 * cdk8s runs `resolveDependencies` and `validate` over the whole app again inside every
 * `chart.toJson()`, which makes synthesis quadratic in the number of charts. The logic here is
 * the same; `test/ml-app.test.ts` proves the output is byte-identical.
 */

/** `node.findAll()` once per node for one synthesis. */
export class SubtreeCache {
  private readonly subtrees = new Map<Node, IConstruct[]>();

  public findAll(node: Node): IConstruct[] {
    let all = this.subtrees.get(node);
    if (!all) {
      all = node.findAll();
      this.subtrees.set(node, all);
    }
    return all;
  }
}

/** Runs every construct's validations; throws cdk8s's error listing all of them. */
export function validateApp(app: App, cache: SubtreeCache): void {
  const errors: string[] = [];
  for (const child of cache.findAll(app.node)) {
    for (const error of child.node.validate()) errors.push(`[${child.node.path}] ${error}`);
  }
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
}

function constructDependencies(app: App, cache: SubtreeCache): { source: IConstruct; target: IConstruct }[] {
  const deps: { source: IConstruct; target: IConstruct }[] = [];
  for (const child of cache.findAll(app.node)) {
    for (const dep of child.node.dependencies) deps.push({ source: child, target: dep });
  }
  return deps;
}

/**
 * Turns nested charts and construct dependencies into chart and API-object dependencies, as
 * cdk8s does. Returns whether any chart depends on another (cdk8s then prefixes file names with
 * an index).
 */
export function resolveAppDependencies(app: App, cache: SubtreeCache): boolean {
  let hasDependantCharts = false;
  for (const parentChart of cache.findAll(app.node).filter((x) => x instanceof Chart)) {
    for (const childChart of parentChart.node.children.filter((x) => x instanceof Chart)) {
      parentChart.node.addDependency(childChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of constructDependencies(app, cache)) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependantCharts = true;
    }
  }
  for (const dep of constructDependencies(app, cache)) {
    const sourceChart = Chart.of(dep.source);
    const targetChart = Chart.of(dep.target);
    const targets = cache.findAll(dep.target.node).filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = cache.findAll(dep.source.node).filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const target of targets) {
      for (const source of sources) {
        if (target !== source) source.node.addDependency(target);
      }
    }
  }
  return hasDependantCharts;
}

/** The charts of the app in dependency order, as `App.charts` returns them. */
export function appCharts(app: App, cache: SubtreeCache): Chart[] {
  return dependencyOrder(app.node, cache).filter((x): x is Chart => x instanceof Chart);
}

/** The API objects of `chart` (not of charts nested in it), in dependency order. */
export function chartApiObjects(chart: Chart, cache: SubtreeCache): ApiObject[] {
  return dependencyOrder(chart.node, cache).filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * `new DependencyGraph(root).topology()`, in linear time. cdk8s's graph keys vertices by path
 * string, checks every edge for a cycle by walking the graph, and visits shared dependencies
 * again and again; the order below is the same: dependencies first, starting from the
 * constructs nothing depends on in the order of the graph's vertex object (array-index paths
 * first, then tree order). On a cycle, cdk8s's own graph is built to throw its error.
 */
export function dependencyOrder(root: Node, cache: SubtreeCache): IConstruct[] {
  const all = cache.findAll(root);
  const index = new Map<IConstruct, number>();
  all.forEach((c, i) => index.set(c, i));
  const edges: number[][] = all.map(() => []);
  const dependedOn = new Uint8Array(all.length);
  all.forEach((c, i) => {
    const targets = new Set<number>();
    for (const dep of c.node.dependencies) {
      const j = index.get(dep);
      if (j === undefined || targets.has(j)) continue; // outside the subtree, or a repeat
      targets.add(j);
      edges[i].push(j);
      dependedOn[j] = 1;
    }
  });
  // A path is an array index only for a child of the tree's root (any deeper path holds a '/'): no path is built.
  const isIndex = (i: number) => {
    const { node } = all[i];
    return node.scope !== undefined && node.scope.node.scope === undefined && ARRAY_INDEX.test(node.id) && Number(node.id) < 2 ** 32 - 1;
  };
  const sources = all.map((_, i) => i).filter((i) => !dependedOn[i]);
  const starts = [
    ...sources.filter(isIndex).sort((a, b) => Number(all[a].node.path) - Number(all[b].node.path)),
    ...sources.filter((i) => !isIndex(i)),
  ];
  const state = new Uint8Array(all.length); // 0 unvisited, 1 in progress, 2 done
  const order: IConstruct[] = [];
  let cycle = false;
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    if (state[i] === 1) {
      cycle = true;
      return;
    }
    state[i] = 1;
    for (const j of edges[i]) visit(j);
    state[i] = 2;
    order.push(all[i]);
  };
  for (const i of starts) visit(i);
  if (cycle || order.length !== all.length) return new DependencyGraph(root).topology();
  return order;
}

/** cdk8s's file (or folder) name for each chart, in order: `name`, or `0000-name` when charts depend on each other. */
export function chartFileNames(charts: Chart[], indexed: boolean): string[] {
  return charts.map((chart, i) => `${indexed ? `${i.toString().padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}`);
}

/** cdk8s's file name for one object in the file-per-resource layouts. */
export function resourceFileName(manifest: { kind?: string; metadata?: { name?: string } }): string {
  return `${manifest.kind}.${manifest.metadata?.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}
