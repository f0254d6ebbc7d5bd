/**
 * Where pod templates live: built-in workloads and the ML custom resources (Kubeflow training jobs,
 * JobSet, KubeRay, LeaderWorkerSet, KServe), each with the role its pods play, so rules hold every
 * template to the standards of its kind (serving vs training vs batch).
 */
import { Rec, at, field, isRecord, numAt, recAt, recsAt, stringMapAt } from './access';
import { formatPath, joinPath } from './paths';
import { KubeObject, PodTemplateInfo, WorkloadRole } from './types';

/** API group of an `apiVersion`. */
function group(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

type Extractor = (obj: KubeObject) => PodTemplateInfo[];

/** A `PodTemplateSpec` at `path` (`{metadata, spec}`); nothing when it has no pod spec. */
function templateAt(
  obj: KubeObject,
  template: unknown,
  path: string,
  role: WorkloadRole,
  extra: Partial<PodTemplateInfo> = {},
): PodTemplateInfo[] {
  const podSpec = recAt(template, 'spec');
  if (!podSpec) return [];
  const podAnnotations = stringMapAt(template, 'metadata', 'annotations');
  return [
    {
      podSpec,
      podLabels: stringMapAt(template, 'metadata', 'labels'),
      ...(podAnnotations.size > 0 ? { podAnnotations } : {}),
      workloadKind: obj.kind,
      path: `${path}.spec`,
      role,
      ...extra,
    },
  ];
}

function replicasAt(value: unknown, ...keys: string[]): number | undefined {
  const n = at(value, ...keys);
  if (n === undefined) return 1;
  return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
}

/** Kubeflow training operator jobs: `spec.<x>ReplicaSpecs.<Role>.template`. */
const kubeflowJob: Extractor = (obj) => {
  const spec = recAt(obj, 'spec');
  if (!spec) return [];
  const found: PodTemplateInfo[] = [];
  for (const key of Object.keys(spec).filter((k) => k.endsWith('ReplicaSpecs'))) {
    const replicaSpecs = recAt(spec, key);
    for (const name of Object.keys(replicaSpecs ?? {})) {
      const replicaSpec = field(replicaSpecs, name);
      found.push(
        ...templateAt(obj, at(replicaSpec, 'template'), `spec.${key}.${name}.template`, 'training', {
          name,
          replicas: replicasAt(replicaSpec, 'replicas'),
        }),
      );
    }
  }
  return found;
};

/** JobSet-shaped templates: `replicatedJobs[].template.spec.template` under `base`. */
function jobSetTemplates(obj: KubeObject, jobSetSpec: unknown, base: string): PodTemplateInfo[] {
  return recsAt(jobSetSpec, 'replicatedJobs').flatMap((rj, i) => {
    const jobs = replicasAt(rj, 'replicas');
    const parallelism = replicasAt(rj, 'template', 'spec', 'parallelism');
    return templateAt(obj, at(rj, 'template', 'spec', 'template'), `${base}.replicatedJobs[${i}].template.spec.template`, 'training', {
      name: typeof field(rj, 'name') === 'string' ? (field(rj, 'name') as string) : `#${i}`,
      ...(jobs !== undefined && parallelism !== undefined ? { replicas: jobs * parallelism } : {}),
    });
  });
}

/** KubeRay cluster specs: `headGroupSpec.template`, `workerGroupSpecs[].template` under `base`. */
function rayClusterTemplates(obj: KubeObject, clusterSpec: unknown, base: string, role: WorkloadRole): PodTemplateInfo[] {
  if (!isRecord(clusterSpec)) return [];
  // KubeRay injects readiness and liveness probes into Ray containers that have none.
  return [
    ...templateAt(obj, at(clusterSpec, 'headGroupSpec', 'template'), `${base}.headGroupSpec.template`, role, {
      name: 'head',
      replicas: 1,
      probesFromController: true,
    }),
    ...recsAt(clusterSpec, 'workerGroupSpecs').flatMap((g, i) =>
      templateAt(obj, at(g, 'template'), `${base}.workerGroupSpecs[${i}].template`, role, {
        name: typeof field(g, 'groupName') === 'string' ? (field(g, 'groupName') as string) : `worker-${i}`,
        probesFromController: true,
        ...(numAt(g, 'minReplicas') !== undefined ? { replicas: numAt(g, 'minReplicas') } : {}),
      }),
    ),
  ];
}

/** Framework fields of a KServe component whose container (image, probes) the ServingRuntime supplies. */
const KSERVE_MODEL_FIELDS = [
  'model',
  'sklearn',
  'xgboost',
  'tensorflow',
  'pytorch',
  'triton',
  'onnx',
  'huggingface',
  'lightgbm',
  'paddle',
  'pmml',
];

/**
 * KServe InferenceService components (`spec.predictor`, `transformer`, `explainer`): an inline pod
 * spec whose containers are `containers`, or a model spec (`model`, `sklearn`, ...) whose remaining
 * container fields come from the ServingRuntime.
 */
const inferenceService: Extractor = (obj) =>
  ['predictor', 'transformer', 'explainer'].flatMap((component) => {
    const spec = recAt(obj, 'spec', component);
    if (!spec) return [];
    const replicas = numAt(spec, 'minReplicas') ?? 1;
    const base = {
      workloadKind: obj.kind,
      podLabels: stringMapAt(obj, 'metadata', 'labels'),
      role: 'serving' as const,
      name: component,
      replicas,
      servesTraffic: true,
      resourcesDefaulted: true,
    };
    const modelField = KSERVE_MODEL_FIELDS.find((f) => isRecord(field(spec, f)));
    if (Array.isArray(field(spec, 'containers')) || !modelField) {
      return [{ ...base, podSpec: spec, path: `spec.${component}` }];
    }
    const container: Rec = { name: 'kserve-container', ...recAt(spec, modelField) };
    return [
      {
        ...base,
        podSpec: { ...spec, containers: [container] },
        path: `spec.${component}`,
        containersFromRuntime: true,
        containerPaths: [['containers[0]', modelField]],
      },
    ];
  });

/**
 * Kubeflow Trainer TrainJob: the pod template lives in its (Cluster)TrainingRuntime; `spec.trainer`
 * only overrides the trainer container (image, command, resourcesPerNode). Reviewed as a partial
 * template: only rules about what the TrainJob itself sets apply.
 */
const trainJob: Extractor = (obj) => {
  const trainer = recAt(obj, 'spec', 'trainer');
  if (!trainer) return [];
  const container: Record<string, unknown> = { name: 'node' };
  for (const key of ['image', 'command', 'args', 'env']) if (field(trainer, key) !== undefined) container[key] = field(trainer, key);
  if (isRecord(field(trainer, 'resourcesPerNode'))) container.resources = field(trainer, 'resourcesPerNode');
  const runtime =
    typeof at(obj, 'spec', 'runtimeRef', 'name') === 'string' ? (at(obj, 'spec', 'runtimeRef', 'name') as string) : 'its runtime';
  return [
    {
      podSpec: { containers: [container] },
      podLabels: new Map(),
      workloadKind: obj.kind,
      path: 'spec.trainer',
      role: 'training',
      name: 'trainer',
      partialFrom: `TrainingRuntime '${runtime}'`,
      containerPaths: [
        ['containers[0].resources', 'resourcesPerNode'],
        ['containers[0]', ''],
      ],
    },
  ];
};

/** Volcano Job: `spec.tasks[].template`, gang-scheduled tasks that run to completion. */
const volcanoJob: Extractor = (obj) =>
  recsAt(obj, 'spec', 'tasks').flatMap((task, i) =>
    templateAt(obj, at(task, 'template'), `spec.tasks[${i}].template`, 'training', {
      name: typeof field(task, 'name') === 'string' ? (field(task, 'name') as string) : `tasks[${i}]`,
      replicas: replicasAt(task, 'replicas'),
    }),
  );

/**
 * KServe LLMInferenceService: pod specs (not templates) at `spec.template` (the main pods, which
 * receive traffic), `spec.worker` (multi-node workers) and the same under `spec.prefill`; the
 * container image, command and probes come from the LLMInferenceServiceConfig the controller merges.
 */
const llmInferenceService: Extractor = (obj) => {
  const replicas = numAt(obj, 'spec', 'replicas') ?? 1;
  const component = (base: string[], name: string, servesTraffic: boolean): PodTemplateInfo[] => {
    const podSpec = recAt(obj, ...base);
    if (!podSpec) return [];
    return [
      {
        podSpec,
        podLabels: stringMapAt(obj, 'metadata', 'labels'),
        workloadKind: obj.kind,
        path: base.join('.'),
        role: 'serving',
        name,
        replicas,
        servesTraffic,
        containersFromRuntime: true,
      },
    ];
  };
  return [
    ...component(['spec', 'template'], 'template', true),
    ...component(['spec', 'worker'], 'worker', false),
    ...component(['spec', 'prefill', 'template'], 'prefill', true),
    ...component(['spec', 'prefill', 'worker'], 'prefill worker', false),
  ];
};

/** Custom resources with known pod-template locations, by `group/Kind`. */
const CUSTOM_TEMPLATES: ReadonlyMap<string, Extractor> = new Map<string, Extractor>([
  ...['PyTorchJob', 'MPIJob', 'TFJob', 'XGBoostJob', 'PaddleJob', 'JAXJob', 'MXJob'].map(
    (k) => [`kubeflow.org/${k}`, kubeflowJob] as const,
  ),
  ['jobset.x-k8s.io/JobSet', (obj) => jobSetTemplates(obj, recAt(obj, 'spec'), 'spec')],
  ...['TrainingRuntime', 'ClusterTrainingRuntime'].map(
    (k) =>
      [
        `trainer.kubeflow.org/${k}`,
        (obj: KubeObject) => jobSetTemplates(obj, at(obj, 'spec', 'template', 'spec'), 'spec.template.spec'),
      ] as const,
  ),
  ['ray.io/RayCluster', (obj) => rayClusterTemplates(obj, recAt(obj, 'spec'), 'spec', 'long-running')],
  ['ray.io/RayService', (obj) => rayClusterTemplates(obj, at(obj, 'spec', 'rayClusterConfig'), 'spec.rayClusterConfig', 'serving')],
  [
    'ray.io/RayJob',
    (obj) => [
      ...rayClusterTemplates(obj, at(obj, 'spec', 'rayClusterSpec'), 'spec.rayClusterSpec', 'training'),
      ...templateAt(obj, at(obj, 'spec', 'submitterPodTemplate'), 'spec.submitterPodTemplate', 'batch', { name: 'submitter' }),
    ],
  ],
  [
    'leaderworkerset.x-k8s.io/LeaderWorkerSet',
    (obj) => {
      const groups = replicasAt(obj, 'spec', 'replicas');
      const size = replicasAt(obj, 'spec', 'leaderWorkerTemplate', 'size');
      const base = 'spec.leaderWorkerTemplate';
      // The leader receives the traffic; without a leader template every pod is a worker and serves.
      const leader = at(obj, 'spec', 'leaderWorkerTemplate', 'leaderTemplate');
      return [
        ...templateAt(obj, leader, `${base}.leaderTemplate`, 'serving', {
          name: 'leader',
          servesTraffic: true,
          ...(groups !== undefined ? { replicas: groups } : {}),
        }),
        ...templateAt(obj, at(obj, 'spec', 'leaderWorkerTemplate', 'workerTemplate'), `${base}.workerTemplate`, 'serving', {
          name: 'worker',
          servesTraffic: !isRecord(leader),
          ...(groups !== undefined && size !== undefined ? { replicas: groups * (isRecord(leader) ? size - 1 : size) } : {}),
        }),
      ];
    },
  ],
  ['serving.kserve.io/InferenceService', inferenceService],
  ['batch.volcano.sh/Job', volcanoJob],
  ['serving.kserve.io/LLMInferenceService', llmInferenceService],
  ['trainer.kubeflow.org/TrainJob', trainJob],
]);

/** Roles of the pods of built-in workloads. */
const BUILTIN_ROLES: Readonly<Record<string, WorkloadRole>> = {
  Pod: 'pod',
  Deployment: 'serving',
  StatefulSet: 'serving',
  ReplicaSet: 'long-running',
  DaemonSet: 'daemon',
  Job: 'batch',
  CronJob: 'batch',
};

/** Whether the reviewer knows where the pod templates of this custom resource live. */
export function hasTemplateRegistry(obj: KubeObject): boolean {
  return CUSTOM_TEMPLATES.has(`${group(obj.apiVersion)}/${obj.kind}`);
}

/** Pod templates of a built-in workload (`builtin` says whether `obj` is served by its usual group). */
export function builtinTemplates(obj: KubeObject): PodTemplateInfo[] {
  const role = BUILTIN_ROLES[obj.kind];
  if (role === undefined) return [];
  if (obj.kind === 'Pod') {
    const podSpec = recAt(obj, 'spec');
    return podSpec
      ? [{ podSpec, podLabels: stringMapAt(obj, 'metadata', 'labels'), workloadKind: obj.kind, path: 'spec', role, replicas: 1 }]
      : [];
  }
  const isCron = obj.kind === 'CronJob';
  const path = isCron ? 'spec.jobTemplate.spec.template' : 'spec.template';
  const template = isCron ? at(obj, 'spec', 'jobTemplate', 'spec', 'template') : at(obj, 'spec', 'template');
  const replicas = ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(obj.kind) ? replicasAt(obj, 'spec', 'replicas') : undefined;
  return templateAt(obj, template, path, role, replicas !== undefined ? { replicas } : {});
}

/** Pod templates of a known custom resource. */
export function customTemplates(obj: KubeObject): PodTemplateInfo[] {
  return CUSTOM_TEMPLATES.get(`${group(obj.apiVersion)}/${obj.kind}`)?.(obj) ?? [];
}

const MAX_GENERIC_DEPTH = 12;

/** Whether `value` is a list of container-shaped records (each with a name or an image). */
function isContainerList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((c) => isRecord(c) && (typeof field(c, 'name') === 'string' || typeof field(c, 'image') === 'string'))
  );
}

/**
 * Pod templates of an unknown kind, found by shape anywhere in the object (up to
 * {@link MAX_GENERIC_DEPTH} levels, through maps and lists): any record shaped like a
 * PodTemplateSpec (`metadata` or a key ending in `template`, and `spec.containers`), any pod spec
 * under a key ending in `template` or `podSpec` (`containers` directly), and embedded objects of
 * known kinds (a Katib trial's Job, reviewed as a Job). Each is reviewed with its path.
 */
export function genericTemplates(
  obj: KubeObject,
  lookup: (embedded: KubeObject) => readonly PodTemplateInfo[] = () => [],
): PodTemplateInfo[] {
  const found: PodTemplateInfo[] = [];
  const visit = (value: unknown, path: string, key: string, depth: number): void => {
    if (depth > MAX_GENERIC_DEPTH) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, key, depth + 1));
      return;
    }
    if (!isRecord(value)) return;
    if (depth > 0 && typeof field(value, 'apiVersion') === 'string' && typeof field(value, 'kind') === 'string') {
      const embedded = lookup(value as KubeObject);
      if (embedded.length > 0) {
        found.push(
          ...embedded.map((t) => ({
            ...t,
            path: joinPath(path, t.path),
            embeddedIn: path,
          })),
        );
        return;
      }
    }
    const templateKey = /template$/i.test(key);
    const spec = field(value, 'spec');
    if (depth > 0 && isRecord(spec) && isContainerList(field(spec, 'containers')) && (isRecord(field(value, 'metadata')) || templateKey)) {
      found.push(...templateAt(obj, value, path, 'generic', { generic: true }));
      return;
    }
    if (depth > 0 && (templateKey || /podspec$/i.test(key)) && isContainerList(field(value, 'containers'))) {
      found.push({ podSpec: value, podLabels: new Map(), workloadKind: obj.kind, path, role: 'generic', generic: true });
      return;
    }
    for (const k of Object.keys(value)) {
      if (depth === 0 && (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind')) continue;
      visit(value[k], path === '' ? k : joinPath(path, formatPath([k])), k, depth + 1);
    }
  };
  visit(obj, '', '', 0);
  return found;
}
