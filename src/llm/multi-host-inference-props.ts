import { Duration } from 'cdk8s';
import { ModelProps } from '../core/model';
import { MlWorkloadProps } from '../core/pod';
import { MonitoringOptions } from '../observability/options';
import { Availability } from '../serving/availability';
import { GatewayRouteProps } from '../serving/gateway-route';
import { InferencePoolProps } from '../serving/inference-pool';
import { InferenceNetworkProps } from '../serving/online-inference-props';
import { VllmOptions } from './runtime-options';

/** Rolling updates of whole groups. */
export interface MultiHostRolloutProps {
  /**
   * Accelerators free beyond the serving groups; a surge group needs `groupSize` × GPUs per pod.
   * @default 0
   */
  readonly spareAccelerators?: number;
  /** Groups down at once during an update. @default 1 (0 when a surge group fits in spareAccelerators) */
  readonly maxUnavailable?: number;
}

/** Props of {@link MultiHostInference}. */
export interface MultiHostInferenceProps extends MlWorkloadProps {
  /**
   * vLLM settings. `tensorParallelSize` is the GPUs of one pod; the pipeline spans the group
   * (`--pipeline-parallel-size` = `groupSize`).
   * @default {}
   */
  readonly vllm?: Omit<VllmOptions, 'pipelineParallelSize'>;
  /** Pods (nodes) one model replica spans: a leader and `groupSize - 1` workers; at least 2. */
  readonly groupSize: number;
  /** Model replicas (groups). @default 1 */
  readonly replicas?: number;
  /** The model served (mounted on every pod of the group). @default - none (a repo id in `vllm.model`) */
  readonly model?: ModelProps;
  /** Longest the group takes to form and load. @default - from the model size (see ServingRuntime.vllm), else 20 minutes */
  readonly modelLoadTimeout?: Duration;
  /**
   * When workers start. The Ray head on the leader is ready only once the workers joined, so
   * `LeaderReady` would never start them.
   * @default 'LeaderCreated'
   */
  readonly startupPolicy?: 'LeaderCreated';
  /** How an update replaces groups. @default - one group at a time, none surging (no `spareAccelerators`) */
  readonly rollout?: MultiHostRolloutProps;
  /** `false` for none. @default - one pod (so one group) disrupted at a time */
  readonly disruptionBudget?: false;
  /**
   * `continuous`: a rollout or a node drain never takes the last serving group down (one group, or a
   * rollout that may stop every group, is an error that names the fix). `best-effort`: accept outages.
   * @default 'continuous'
   */
  readonly availability?: Availability;
  /** `false` opts out. @default - default deny; group members reach each other on every port (Ray, NCCL) */
  readonly networkPolicy?: InferenceNetworkProps | false;
  /** An HTTPRoute to the leaders. @default - none */
  readonly route?: GatewayRouteProps;
  /** An InferencePool over the leaders (needs `route`). @default - none */
  readonly inferencePool?: InferencePoolProps;
  /** ServiceMonitor on the leaders' serving port and alert rules. @default - the platform's `monitoring.enabled` */
  readonly monitoring?: MonitoringOptions | false;
  /**
   * Removed: the library starts the Ray head and the workers itself (vLLM's helper script gave up
   * after 300 s). Setting it is an error.
   * @default - none
   */
  readonly rayScript?: string;
  /**
   * Longest the leader waits for every pod of the group to join its Ray head (scheduling, image pull,
   * Ray start) before it exits and LeaderWorkerSet recreates the group; the startup probe allows it on
   * top of the model load.
   * @default Duration.minutes(15)
   */
  readonly groupFormationTimeout?: Duration;
}
