/** KEDA ScaledObjects and HTTPScaledObjects in front of model servers (ML023, ML024, ML025, ML026, ML037). */
import { numAt, recAt, recsAt, strAt } from '../access';
import { groupOf, subjectOf } from '../kube';
import { KubeObject, ReviewContext, Rule, RuleFinding } from '../types';
import { SERVER_RUNTIMES } from '../runtimes';
import { REF } from './common';
import { ColdStart, slowStart } from './coldstart';
import { perPodReason } from './promql';
import { servicesOf } from './selection';

/** KEDA's default `cooldownPeriod` (seconds). */
export const KEDA_DEFAULT_COOLDOWN = 300;

function isScaledObject(obj: KubeObject): boolean {
  return obj.kind === 'ScaledObject' && groupOf(obj.apiVersion) === 'keda.sh';
}

/** The ScaledObject's target (kind defaults to Deployment) and, when in the set, the object. */
function targetOf(obj: KubeObject, ctx: ReviewContext): { ref: string; target?: KubeObject } | undefined {
  const name = strAt(obj, 'spec', 'scaleTargetRef', 'name');
  if (name === undefined) return undefined;
  const kind = strAt(obj, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment';
  return { ref: `${kind} '${name}'`, target: ctx.find(kind, ctx.namespaceOf(obj), name) };
}

/** The slow start of the target's pods, if any template shows one. */
function targetSlowStart(obj: KubeObject, ctx: ReviewContext): { target: KubeObject; start: ColdStart } | undefined {
  const target = targetOf(obj, ctx)?.target;
  if (!target) return undefined;
  for (const t of ctx.podTemplates(target)) {
    const start = slowStart(t, target);
    if (start) return { target, start };
  }
  return undefined;
}

/**
 * ML023: scale-to-zero (minReplicaCount 0, KEDA's default) in front of a model that loads slowly; not for a
 * queue consumer (broker scalers only, no Service routing to it): its messages wait in the broker meanwhile.
 */
export const scaleToZeroSlowModel: Rule = {
  id: 'ML023',
  title: 'KEDA scales a slow-loading model server to zero',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['ScaledObject', 'InferenceService (KEDA autoscaling)'],
  reference: `${REF.ml} §5 (KEDA, scale to zero for event-driven work), §13 (five-minute model startup)`,
  check(obj, ctx) {
    if (obj.kind === 'InferenceService' && groupOf(obj.apiVersion) === 'serving.kserve.io') return kserveScaleToZero(obj, ctx);
    if (!isScaledObject(obj)) return [];
    const min = numAt(obj, 'spec', 'minReplicaCount') ?? 0;
    const slow = min === 0 ? targetSlowStart(obj, ctx) : undefined;
    if (!slow || queueConsumer(obj, slow.target, ctx)) return [];
    return [
      {
        path: 'spec.minReplicaCount',
        message: `scales ${subjectOf(slow.target)} to zero (minReplicaCount ${numAt(obj, 'spec', 'minReplicaCount') ?? 'unset, KEDA default 0'}) but its pods load slowly (${slow.start.evidence}); the first request after an idle period waits for a full model load and usually times out`,
        fix: 'set spec.minReplicaCount: 1 (keep one warm replica), or put a queue in front and accept the delay explicitly',
      },
    ];
  },
};

/** KEDA scalers that read a message broker: the work of a consumer scaled on them waits there while it starts. */
const BROKER_SCALERS = new Set([
  'rabbitmq',
  'kafka',
  'aws-sqs-queue',
  'redis',
  'redis-streams',
  'redis-cluster',
  'redis-cluster-streams',
  'redis-sentinel',
  'redis-sentinel-streams',
  'azure-servicebus',
  'azure-queue',
  'azure-eventhub',
  'gcp-pubsub',
  'nats-jetstream',
  'stan',
  'activemq',
  'artemis-queue',
  'ibmmq',
  'pulsar',
  'solace-event-queue',
  'aws-kinesis-stream',
]);

/** A queue consumer: scaled only on broker scalers, and no Service or InferencePool routes requests to it. */
function queueConsumer(obj: KubeObject, target: KubeObject, ctx: ReviewContext): boolean {
  const types = recsAt(obj, 'spec', 'triggers').map((t) => strAt(t, 'type') ?? '');
  return types.length > 0 && types.every((t) => BROKER_SCALERS.has(t)) && servicesOf(target, ctx).length === 0;
}

/**
 * KServe's KEDA integration: a component with `autoScaling.keda.idleReplicaCount: 0` (or
 * `minReplicas: 0` under the keda autoscaler class) whose model is downloaded at start (storageUri).
 */
function kserveScaleToZero(obj: KubeObject, ctx: ReviewContext): RuleFinding[] {
  const keda = strAt(obj, 'metadata', 'annotations', 'serving.kserve.io/autoscalerClass') === 'keda';
  const mode = strAt(obj, 'metadata', 'annotations', 'serving.kserve.io/deploymentMode') ?? 'Serverless';
  return ctx.podTemplates(obj).flatMap((t) => {
    const component = recAt(obj, 'spec', t.name ?? '');
    const idle = numAt(component, 'autoScaling', 'keda', 'idleReplicaCount');
    if (idle !== 0 && !(keda && numAt(component, 'minReplicas') === 0)) return [];
    const storage = Object.values(component ?? {}).some((v) => strAt(v, 'storageUri') !== undefined || recAt(v, 'storage') !== undefined);
    const evidence = storage
      ? 'the storage initializer downloads the model (storageUri) before the server starts'
      : slowStart(t, obj)?.evidence;
    if (!evidence) return [];
    const noActivator = mode === 'Serverless' ? '' : `; in ${mode} mode no activator holds requests while it starts, so they fail`;
    return [
      {
        path: idle === 0 ? `spec.${t.name}.autoScaling.keda.idleReplicaCount` : `spec.${t.name}.minReplicas`,
        message: `scales ${t.name} to zero (${idle === 0 ? 'autoScaling.keda.idleReplicaCount 0' : 'minReplicas 0'}) although ${evidence}; the first request after an idle period waits for a full model load${noActivator}`,
        fix: `keep one warm replica (spec.${t.name}.autoScaling.keda.idleReplicaCount unset and minReplicas: 1), or accept the delay explicitly behind a queue`,
      },
    ];
  });
}

/** ML024: a Prometheus trigger whose query returns one series per pod. */
export const perPodPrometheusQuery: Rule = {
  id: 'ML024',
  title: 'KEDA Prometheus trigger query not aggregated to one series',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['ScaledObject', 'ScaledJob'],
  reference: `${REF.ml} §5 (scale on queue depth, latency or in-flight requests); KEDA Prometheus scaler (the query must return a single value)`,
  check(obj) {
    if (!isScaledObject(obj) && !(obj.kind === 'ScaledJob' && groupOf(obj.apiVersion) === 'keda.sh')) return [];
    const findings: RuleFinding[] = [];
    recsAt(obj, 'spec', 'triggers').forEach((trigger, i) => {
      if (strAt(trigger, 'type') !== 'prometheus') return;
      const query = strAt(trigger, 'metadata', 'query');
      const reason = query === undefined ? undefined : perPodReason(query);
      if (!reason) return;
      findings.push({
        path: `spec.triggers[${i}].metadata.query`,
        message: `trigger ${i} (prometheus) query "${query}" may return one series per pod (${reason}); KEDA uses the first series only, so it scales on one pod's value, not the service's`,
        fix: `wrap the query in an aggregation without pod labels, e.g. sum(${query}) or max(...) with thresholds per replica (metricType: AverageValue)`,
      });
    });
    return findings;
  },
};

/** ML025: a cooldownPeriod shorter than the target's cold start when scaling to zero. */
export const cooldownShorterThanColdStart: Rule = {
  id: 'ML025',
  title: 'KEDA cooldownPeriod shorter than the model cold start',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['ScaledObject'],
  reference: `${REF.ml} §5 (KEDA); ${REF.health} "Startup probes"`,
  check(obj, ctx) {
    if (!isScaledObject(obj) || (numAt(obj, 'spec', 'minReplicaCount') ?? 0) !== 0) return [];
    const slow = targetSlowStart(obj, ctx);
    const cooldown = numAt(obj, 'spec', 'cooldownPeriod') ?? KEDA_DEFAULT_COOLDOWN;
    if (!slow || slow.start.seconds === undefined || cooldown >= slow.start.seconds) return [];
    return [
      {
        path: 'spec.cooldownPeriod',
        message: `scales ${subjectOf(slow.target)} to zero after ${cooldown} s without activity (cooldownPeriod${numAt(obj, 'spec', 'cooldownPeriod') === undefined ? ', KEDA default' : ''}) while a cold start may take ${slow.start.seconds} s (${slow.start.evidence}); a short lull costs a longer outage than it lasted`,
        fix: `raise spec.cooldownPeriod well above the cold start (at least ${slow.start.seconds} s, e.g. ${Math.max(slow.start.seconds * 3, 600)}) or keep minReplicaCount: 1`,
      },
    ];
  },
};

/** ML026: a ScaledObject whose target is not in the reviewed set. */
export const scaledObjectTarget: Rule = {
  id: 'ML026',
  title: 'KEDA ScaledObject target not found',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['ScaledObject'],
  conditions: [
    {
      severity: 'info',
      when: "the reviewed set has no workload in the ScaledObject's namespace (the target is probably reviewed elsewhere)",
    },
  ],
  reference: `${REF.ml} §5 (KEDA drives an HPA for its target)`,
  check(obj, ctx) {
    if (!isScaledObject(obj)) return [];
    const ref = targetOf(obj, ctx);
    if (!ref) {
      return [
        {
          path: 'spec.scaleTargetRef',
          message: 'has no spec.scaleTargetRef.name; KEDA has nothing to scale',
          fix: 'set spec.scaleTargetRef {kind, name} of the workload to scale',
        },
      ];
    }
    if (ref.target) return [];
    // With other workloads of the namespace in the set, a missing target is likely a typo; alone, it is likely elsewhere.
    const alone = ctx.workloads(ctx.namespaceOf(obj)).length === 0;
    return [
      {
        ...(alone ? { severity: 'info' as const } : {}),
        path: 'spec.scaleTargetRef.name',
        message: `scaleTargetRef names ${ref.ref}, which is not in the reviewed set (namespace '${ctx.namespaceOf(obj)}'${alone ? ', which has no workloads here' : ''}); KEDA scales nothing if it does not exist (the kind defaults to Deployment)`,
        fix: 'fix spec.scaleTargetRef kind/name (set kind for StatefulSets and custom resources), or review the ScaledObject together with its target',
      },
    ];
  },
};

/**
 * ML037: a KEDA HTTP add-on HTTPScaledObject with replicas.min 0 (its default) in front of a model
 * that loads slowly: the interceptor holds the first request after an idle period only until its
 * condition-wait timeout, far shorter than a model load, so the request fails. A cold-start
 * failover service (spec.coldStartTimeoutFailoverRef) answers meanwhile and is accepted.
 */
export const httpScaleToZeroSlowModel: Rule = {
  id: 'ML037',
  title: 'KEDA HTTP add-on scales a slow-loading model server to zero',
  severity: 'warning',
  kinds: ['*'],
  appliesTo: ['HTTPScaledObject'],
  reference: `${REF.ml} §5 (KEDA, scale to zero for event-driven work), §13 (five-minute model startup); kedacore/http-add-on HTTPScaledObject (replicas.min defaults to 0)`,
  check(obj, ctx) {
    if (obj.kind !== 'HTTPScaledObject' || groupOf(obj.apiVersion) !== 'http.keda.sh') return [];
    const min = numAt(obj, 'spec', 'replicas', 'min');
    if ((min ?? 0) !== 0 || recAt(obj, 'spec', 'coldStartTimeoutFailoverRef')) return [];
    const name = strAt(obj, 'spec', 'scaleTargetRef', 'name') ?? strAt(obj, 'spec', 'scaleTargetRef', 'deployment');
    const kind = strAt(obj, 'spec', 'scaleTargetRef', 'kind') ?? 'Deployment';
    const target = name !== undefined ? ctx.find(kind, ctx.namespaceOf(obj), name) : undefined;
    const port = numAt(obj, 'spec', 'scaleTargetRef', 'port');
    // Without the target in the set, a model server's well-known port still says what it is.
    const byPort = port !== undefined ? SERVER_RUNTIMES.find((r) => r.defaultPorts?.ports.includes(port)) : undefined;
    const start = target
      ? ctx
          .podTemplates(target)
          .map((t) => slowStart(t, target))
          .find((s) => s !== undefined)
      : byPort
        ? {
            evidence: `port ${port} is ${byPort.name}'s default port, and ${byPort.name} loads a model before it answers; the target is not in the reviewed set`,
          }
        : undefined;
    if (!start) return [];
    return [
      {
        path: min === undefined ? 'spec.replicas' : 'spec.replicas.min',
        message: `scales ${target ? subjectOf(target) : `${kind} '${name ?? '?'}'`} to zero (replicas.min ${min ?? 'unset, default 0'}) but its pods load slowly (${start.evidence}); the interceptor holds the first request after an idle period only for its condition-wait timeout, so it fails while the model loads`,
        fix: 'set spec.replicas.min: 1 (keep one warm replica), or set spec.coldStartTimeoutFailoverRef to a service that answers while the model loads',
      },
    ];
  },
};
