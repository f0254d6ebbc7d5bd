import { TriageStep } from './alert';
import { MonitoredWorkload, hpaNameOf } from './workload';

/**
 * The triage steps of the deployment-debugging reference (pod state, events, logs current and
 * previous, endpoints, a direct request, model version, rollback), written out with a workload's
 * real names. Alerts pick and order them; `<pod>` and `<job>` are filled from the alert's labels.
 */
export class Triage {
  private readonly ns: string;
  private readonly sel: string;

  private readonly jobName: string;

  constructor(private readonly w: MonitoredWorkload) {
    this.ns = `-n ${w.namespace}`;
    this.sel = `-l ${Object.entries(w.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`;
    // A plain Job is named after the workload, a JobSet's after it and its replicated job; CronJobs and ScaledJobs name theirs per run.
    this.jobName = w.controller === 'Job' ? w.name : w.controller === 'JobSet' ? `${w.name}-workers-0` : '<job>';
  }

  /** 1. Confirm the rollout and replica counts. */
  public rollout(): TriageStep {
    return {
      say: 'Confirm the rollout and the replica counts',
      run: [`kubectl rollout status deploy/${this.w.name} ${this.ns}`, `kubectl get deploy/${this.w.name} ${this.ns}`],
    };
  }

  /** 1. List the pods and their state. */
  public pods(): TriageStep {
    return {
      say: 'List the pods: STATUS, READY and RESTARTS show which link is broken',
      run: [`kubectl get pods ${this.ns} ${this.sel} -o wide`],
    };
  }

  /** 2. Events and last state of the pods (scheduling, probes, restarts). */
  public describe(pod = false): TriageStep {
    return {
      say: 'Read the pod events and last state (scheduling, probe failures, kills)',
      run: [
        pod ? `kubectl describe pod <pod> ${this.ns}` : `kubectl describe pod ${this.ns} ${this.sel}`,
        `kubectl get events ${this.ns} --sort-by=.lastTimestamp`,
      ],
    };
  }

  /** 3. Current logs of the main container. */
  public logs(pod = true): TriageStep {
    return {
      say: `Read the logs of the ${this.w.container} container`,
      run: [
        pod
          ? `kubectl logs <pod> ${this.ns} -c ${this.w.container}`
          : `kubectl logs ${this.ns} ${this.sel} -c ${this.w.container} --tail=200`,
      ],
    };
  }

  /** 4. Logs of the crashed container instance: the model-load or init() exception is there. */
  public previousLogs(): TriageStep {
    return {
      say: "Read the previous (crashed) container's logs: the exception is there, not in the new container",
      run: [`kubectl logs <pod> ${this.ns} -c ${this.w.container} --previous`],
    };
  }

  /** The last termination of the main container (reason, exit code). */
  public lastTermination(): TriageStep {
    return {
      say: 'Confirm the kill reason and compare the memory limit with what the model needs',
      run: [
        `kubectl get pod <pod> ${this.ns} -o jsonpath='{.status.containerStatuses[?(@.name=="${this.w.container}")].lastState.terminated}'`,
        `kubectl top pods ${this.ns} ${this.sel}`,
      ],
    };
  }

  /** 5. Endpoints behind the Service. */
  public endpoints(): TriageStep {
    return {
      say: 'Check the Service has ready endpoints (empty = no pod passes readiness: traffic has nowhere to go)',
      run: [
        `kubectl get endpoints ${this.w.name} ${this.ns}`,
        `kubectl get endpointslices ${this.ns} -l kubernetes.io/service-name=${this.w.name}`,
      ],
    };
  }

  /** 6. A request straight to the Service, bypassing ingress. */
  public portForward(): TriageStep {
    return {
      say: 'Send a request straight to the Service, bypassing the ingress',
      run: [`kubectl port-forward svc/${this.w.name} 8080:${this.w.servicePort ?? 80} ${this.ns}`],
    };
  }

  /** Which image and model version run (wrong predictions after a release). */
  public modelVersion(): TriageStep {
    const [object, template] = {
      Deployment: [`deploy/${this.w.name}`, '.spec.template'],
      Job: [`job/${this.w.name}`, '.spec.template'],
      CronJob: [`cronjob/${this.w.name}`, '.spec.jobTemplate.spec.template'],
      ScaledJob: [`scaledjob/${this.w.name}`, '.spec.jobTargetRef.template'],
      JobSet: [`jobset/${this.w.name}`, '.spec.replicatedJobs[0].template.spec.template'],
      LeaderWorkerSet: [`leaderworkerset/${this.w.name}`, '.spec.leaderWorkerTemplate.leaderTemplate'],
    }[this.w.controller];
    return {
      say: 'Confirm the image and model version that are running match the release',
      run: [
        `kubectl get ${object} ${this.ns} -o jsonpath='{${template}.spec.containers[0].image} {${template}.metadata.labels.app\\.kubernetes\\.io/version}'`,
      ],
    };
  }

  /** Load and autoscaler state. */
  public autoscaler(): TriageStep {
    const hpa = hpaNameOf(this.w);
    const run = [`kubectl top pods ${this.ns} ${this.sel}`];
    if (hpa) run.unshift(`kubectl describe hpa/${hpa} ${this.ns}`);
    if (this.w.autoscaler?.kind === 'ScaledObject' || this.w.autoscaler?.kind === 'ScaledJob') {
      run.unshift(`kubectl describe ${this.w.autoscaler.kind.toLowerCase()}/${this.w.autoscaler.name ?? this.w.name} ${this.ns}`);
    }
    return { say: 'Check load and the autoscaler: current/desired replicas, metric values, scaling events', run };
  }

  /** KEDA: the scaler's errors are in the ScaledObject/ScaledJob conditions and the operator log. */
  public keda(): TriageStep {
    const a = this.w.autoscaler!;
    return {
      say: `Read the ${a.kind} conditions (Ready, Active, Fallback) and the KEDA operator log for the scaler error`,
      run: [
        `kubectl describe ${a.kind.toLowerCase()}/${a.name ?? this.w.name} ${this.ns}`,
        'kubectl logs -n keda -l app=keda-operator --tail=200',
      ],
    };
  }

  /** A Job's state, events and pods. */
  public job(): TriageStep {
    return {
      say: 'Read the Job status and events (BackoffLimitExceeded, DeadlineExceeded, pod failures)',
      run: [
        `kubectl describe job/${this.jobName} ${this.ns}`,
        `kubectl get pods ${this.ns} -l batch.kubernetes.io/job-name=${this.jobName}`,
      ],
    };
  }

  /** Logs of a Job's pods. */
  public jobLogs(): TriageStep {
    return {
      say: 'Read the logs of the failed run (the previous instance if the pod restarted)',
      run: [
        `kubectl logs job/${this.jobName} ${this.ns} -c ${this.w.container}`,
        `kubectl logs <pod> ${this.ns} -c ${this.w.container} --previous`,
      ],
    };
  }

  /** A CronJob's schedule state. */
  public cronJob(): TriageStep {
    return {
      say: 'Check the CronJob: suspended?, last schedule time, events (missed starts, concurrency policy)',
      run: [`kubectl describe cronjob/${this.w.name} ${this.ns}`, `kubectl get jobs ${this.ns} --sort-by=.metadata.creationTimestamp`],
    };
  }

  /** The commands that undo a bad release, per controller. */
  public rollback(): TriageStep {
    const { name } = this.w;
    switch (this.w.controller) {
      case 'Deployment':
        return {
          say: 'If it started with a release, roll back to the previous ReplicaSet',
          run: [
            `kubectl rollout history deploy/${name} ${this.ns}`,
            `kubectl rollout undo deploy/${name} ${this.ns}`,
            `kubectl rollout status deploy/${name} ${this.ns}`,
          ],
        };
      case 'CronJob':
        return {
          say: "If it started with a release, stop further runs, re-apply the previous release's manifests, then resume (or run once by hand)",
          run: [
            `kubectl patch cronjob/${name} ${this.ns} -p '{"spec":{"suspend":true}}'`,
            `kubectl patch cronjob/${name} ${this.ns} -p '{"spec":{"suspend":false}}'`,
            `kubectl create job ${name}-manual-$(date +%s) --from=cronjob/${name} ${this.ns}`,
          ],
        };
      case 'ScaledJob':
        return {
          say: "If it started with a release, pause scaling, re-apply the previous release's manifests, then resume",
          run: [
            `kubectl annotate scaledjob/${name} ${this.ns} autoscaling.keda.sh/paused=true`,
            `kubectl annotate scaledjob/${name} ${this.ns} autoscaling.keda.sh/paused-`,
          ],
        };
      case 'JobSet':
        return {
          say: "A JobSet's pod template is immutable: delete the JobSet (checkpoints stay on their claim), re-apply the previous release's manifests and rerun",
          run: [`kubectl get jobset/${name} ${this.ns} -o jsonpath='{.status.restarts}'`, `kubectl delete jobset/${name} ${this.ns}`],
        };
      case 'LeaderWorkerSet':
        return {
          say: "If it started with a release, re-apply the previous release's manifests: the LeaderWorkerSet rolls the groups back one at a time",
          run: [
            `kubectl get leaderworkerset/${name} ${this.ns} -o wide`,
            `kubectl get pods ${this.ns} ${this.sel} -L leaderworkerset.sigs.k8s.io/group-index,leaderworkerset.sigs.k8s.io/worker-index`,
          ],
        };
      default:
        return {
          say: "Jobs are immutable: delete the failed Job, re-apply the previous release's manifests (or fix the input) and rerun",
          run: [`kubectl delete job/${name} ${this.ns}`],
        };
    }
  }
}
