import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ensureGate } from '../core/gate';

/** One cluster-wide PriorityClass. */
export interface PriorityClassSpec {
  readonly name: string;
  readonly value: number;
  readonly description: string;
  /** @default 'PreemptLowerPriority' */
  readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
}

/** The classes a platform usually wants: serving preempts batch; batch never preempts anyone. */
export const DEFAULT_PRIORITY_CLASSES: PriorityClassSpec[] = [
  { name: 'serving-critical', value: 100000, description: 'Online inference: preempts batch work when capacity is short.' },
  {
    name: 'batch-preemptible',
    value: -100,
    preemptionPolicy: 'Never',
    description: 'Batch scoring, training and queue workers: runs on spare capacity, preempted first, never preempts.',
  },
];

const created = new WeakMap<IConstruct, Set<string>>();

/** Cluster-scoped PriorityClasses, each emitted once per app however many namespaces ask for it. */
export class PlatformPriorityClasses extends Construct {
  public readonly priorityClasses: k8s.KubePriorityClass[] = [];

  constructor(scope: Construct, id: string, classes: PriorityClassSpec[] = DEFAULT_PRIORITY_CLASSES) {
    super(scope, id);
    ensureGate(this);
    const done = created.get(this.node.root) ?? new Set<string>();
    created.set(this.node.root, done);
    for (const c of classes.filter((x) => !done.has(x.name))) {
      done.add(c.name);
      this.priorityClasses.push(
        new k8s.KubePriorityClass(this, c.name, {
          metadata: { name: c.name, labels: { 'app.kubernetes.io/managed-by': 'cdk8s-ml' } },
          value: c.value,
          globalDefault: false,
          preemptionPolicy: c.preemptionPolicy ?? 'PreemptLowerPriority',
          description: c.description,
        }),
      );
    }
  }
}
