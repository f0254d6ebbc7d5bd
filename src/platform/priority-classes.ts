import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { ensureGate } from '../core/gate';

/** One cluster-wide PriorityClass. */
export interface PriorityClassSpec {
  /** The PriorityClass name pods refer to in `priorityClassName`. */
  readonly name: string;
  /** Priority: higher values are scheduled first and may preempt lower ones. */
  readonly value: number;
  /** What the class is for, shown by `kubectl get priorityclass`. */
  readonly description: string;
  /**
   * `Never`: pods of this class wait for capacity instead of evicting lower-priority pods.
   * @default 'PreemptLowerPriority'
   */
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
  /**
   * The PriorityClasses created here (generated `k8s` class); a class another construct of the app already created is
   * left out. Escape hatch (README "Extending a construct"): `metadata` and `addJsonPatch` changes reach the YAML.
   */
  public readonly priorityClasses: k8s.KubePriorityClass[] = [];

  /** Emits `classes` (by default `serving-critical` and `batch-preemptible`) once per app. */
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
