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

/** The API objects of `chart` (not of charts nested in it), in dependency order. */
export function chartApiObjects(chart: Chart): ApiObject[] {
  return new DependencyGraph(chart.node).topology()
    .filter((x): x is ApiObject => x instanceof ApiObject && Chart.of(x) === chart);
}

/** cdk8s's file (or folder) name for each chart, in order: `name`, or `0000-name` when charts depend on each other. */
export function chartFileNames(charts: Chart[], indexed: boolean): string[] {
  return charts.map((chart, i) => `${indexed ? `${i.toString().padStart(4, '0')}-` : ''}${Names.toDnsLabel(chart)}`);
}

/** cdk8s's file name for one object in the file-per-resource layouts. */
export function resourceFileName(manifest: { kind?: string; metadata?: { name?: string } }): string {
  return `${manifest.kind}.${manifest.metadata?.name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}
