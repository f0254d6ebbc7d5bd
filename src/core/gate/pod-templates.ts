import { GateObject } from './gate';

/** One pod template of a rendered object: where its pod spec is, and its labels. */
export interface PodTemplateRef {
  readonly object: GateObject;
  /** JSON path of the pod spec (`spec.template.spec`). */
  readonly path: string;
  readonly spec: any;
  /** JSON path of the template's metadata. */
  readonly metadataPath: string;
  readonly metadata: any;
  /** The controller that runs the pods (`Deployment`, `Job`, `LeaderWorkerSet`, ...), which decides some rules (restart policy, indexed env). */
  readonly controller: string;
  /** The Job spec around the template, for Jobs, CronJobs, JobSets and ScaledJobs. */
  readonly jobSpec?: any;
}

function at(value: any, ...keys: (string | number)[]): any {
  let v = value;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

function template(object: GateObject, t: any, path: string, controller: string, jobSpec?: any): PodTemplateRef[] {
  const spec = at(t, 'spec');
  if (spec === null || typeof spec !== 'object') return [];
  return [{ object, path: `${path}.spec`, spec, metadataPath: `${path}.metadata`, metadata: at(t, 'metadata') ?? {}, controller, jobSpec }];
}

const NO_TEMPLATES: PodTemplateRef[] = [];
/** The kinds that hold pod templates. */
export const POD_TEMPLATE_KINDS: readonly string[] = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ScaledJob',
  'JobSet',
  'LeaderWorkerSet',
];
const KINDS = new Set(POD_TEMPLATE_KINDS);

/** The pod templates of one object (computed once per object): built-in controllers, Pods, JobSets, LeaderWorkerSets, KEDA ScaledJobs. */
export function podTemplatesOf(o: GateObject): PodTemplateRef[] {
  if (!KINDS.has(o.kind)) return NO_TEMPLATES;
  const cached = o as GateObject & { podTemplates?: PodTemplateRef[] };
  return (cached.podTemplates ??= findTemplates(o));
}

function findTemplates(o: GateObject): PodTemplateRef[] {
  const j = o.json;
  switch (o.kind) {
    case 'Pod':
      return o.group === ''
        ? [{ object: o, path: 'spec', spec: j.spec ?? {}, metadataPath: 'metadata', metadata: j.metadata ?? {}, controller: 'Pod' }]
        : [];
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      return o.group === 'apps' ? template(o, at(j, 'spec', 'template'), 'spec.template', o.kind) : [];
    case 'Job':
      return o.group === 'batch' ? template(o, at(j, 'spec', 'template'), 'spec.template', 'Job', j.spec) : [];
    case 'CronJob':
      return o.group === 'batch'
        ? template(
            o,
            at(j, 'spec', 'jobTemplate', 'spec', 'template'),
            'spec.jobTemplate.spec.template',
            'Job',
            at(j, 'spec', 'jobTemplate', 'spec'),
          )
        : [];
    case 'ScaledJob':
      return o.group === 'keda.sh'
        ? template(o, at(j, 'spec', 'jobTargetRef', 'template'), 'spec.jobTargetRef.template', 'Job', at(j, 'spec', 'jobTargetRef'))
        : [];
    case 'JobSet':
      return o.group === 'jobset.x-k8s.io'
        ? (at(j, 'spec', 'replicatedJobs') ?? []).flatMap((rj: any, i: number) =>
            template(
              o,
              at(rj, 'template', 'spec', 'template'),
              `spec.replicatedJobs[${i}].template.spec.template`,
              'Job',
              at(rj, 'template', 'spec'),
            ),
          )
        : [];
    case 'LeaderWorkerSet':
      return o.group === 'leaderworkerset.x-k8s.io'
        ? [
            ...template(
              o,
              at(j, 'spec', 'leaderWorkerTemplate', 'leaderTemplate'),
              'spec.leaderWorkerTemplate.leaderTemplate',
              'LeaderWorkerSet',
            ),
            ...template(
              o,
              at(j, 'spec', 'leaderWorkerTemplate', 'workerTemplate'),
              'spec.leaderWorkerTemplate.workerTemplate',
              'LeaderWorkerSet',
            ),
          ]
        : [];
    default:
      return [];
  }
}
