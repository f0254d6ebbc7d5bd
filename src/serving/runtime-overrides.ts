import { Construct } from 'constructs';
import { check } from '../core/errors';
import type { MonitoringOptions } from '../observability/options';
import { requireUserArgs } from '../core/server-args';
import { RuntimePlan } from './runtime';

/** The pod props a runtime preset's container reads. */
interface ContainerOverrides {
  readonly command?: string[];
  readonly args?: string[];
}

/**
 * The command and arguments of a workload whose server is a runtime preset: the runtime's command,
 * its arguments, then the workload's `args` (checked like `extraArgs`: flags of the pinned version,
 * none of the flags the library sets). A `command` other than the runtime's would start something
 * else than the flags, probes and ports were planned for: an error. Without facts (the generic
 * server), the workload's own command and args.
 */
export function runtimeArgs(scope: Construct, plan: RuntimePlan, props: ContainerOverrides): { command?: string[]; args?: string[] } {
  const facts = plan.facts;
  if (!facts) return { command: props.command ?? plan.command, args: props.args ?? plan.args };
  const start = plan.command ?? [...facts.executable];
  check(props.command === undefined || JSON.stringify(props.command) === JSON.stringify(start), scope, {
    field: 'command',
    value: props.command,
    problem: `replaces the ${plan.runtime} runtime's start (${start.join(' ')}), so its flags, probes and ports would not apply`,
    fix: `leave command unset; pass server flags in args or the runtime's extraArgs, or use ServingRuntime.generic() for your own start`,
  });
  requireUserArgs(scope, facts, 'args', props.args ?? [], plan.ownedFlags ?? {});
  return { command: plan.command, args: [...(plan.args ?? []), ...(props.args ?? [])] };
}

/**
 * Throws unless `metricsPort` and `monitoring.metricsPath` are where the runtime serves its metrics
 * (Triton only on 8002, vLLM and TGI on the serving port, all at `/metrics`).
 */
export function requireRuntimeMetrics(
  scope: Construct,
  plan: RuntimePlan,
  props: { readonly metricsPort?: number; readonly monitoring?: MonitoringOptions | false },
): void {
  const facts = plan.facts!;
  const served = plan.metricsPort ?? plan.port;
  check(props.metricsPort === undefined || props.metricsPort === served, scope, {
    field: 'metricsPort',
    value: props.metricsPort,
    problem: `is not where ${facts.runtime} ${facts.source.version} serves metrics (${served})`,
    fix: 'leave metricsPort unset: the runtime sets it',
  });
  const path = props.monitoring ? props.monitoring.metricsPath : undefined;
  check(path === undefined || path === facts.metrics.path, scope, {
    field: 'monitoring.metricsPath',
    value: path,
    problem: `is not the path ${facts.runtime} ${facts.source.version} serves metrics on (${facts.metrics.path})`,
    fix: 'leave metricsPath unset',
  });
}
