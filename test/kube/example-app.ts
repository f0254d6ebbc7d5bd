import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Platform } from '../../src';
import { KubeFeature, SUPPORTED_KUBERNETES_VERSIONS, versionSupports } from '../../src/core/facts/kubernetes';
import { batchChart } from '../../examples/batch';
import { llmChart } from '../../examples/llm';
import { observabilityChart } from '../../examples/observability';
import { configurePlatform, platformChart } from '../../examples/platform';
import { queueChart } from '../../examples/queue';
import { servingChart } from '../../examples/serving';
import { KubeObject } from './client';
import { featuresUsed } from '../kube-schema';

class Retry extends Error {}

const BUILDERS: [string, (scope: Construct) => Chart][] = [
  ['platform', platformChart],
  ['serving', servingChart],
  ['batch', batchChart],
  ['queue', queueChart],
  ['observability', observabilityChart],
  ['llm', llmChart],
];

/** The example app synthesized for a server of `minor`, and what had to target a newer version. */
export interface ExampleApp {
  readonly app: App;
  readonly objects: KubeObject[];
  /** The target of each chart (`1.<minor>`). */
  readonly targets: Record<string, string>;
  /**
   * Version-dependent fields in the output that the server does not have on by default (from a chart that needs a
   * newer target): the only fields the server may drop, by `Kind/name`.
   */
  readonly versionOnly: Record<string, KubeFeature[]>;
}

/**
 * The examples as `npm run synth` builds them, each chart targeted at the server's version; a chart with a
 * construct that needs a newer version (its synth error says which) targets the oldest version it accepts.
 */
export function exampleApp(minor: number): ExampleApp {
  const server = `1.${minor}`;
  const targets: Record<string, string> = {};
  let app: App | undefined;
  // A construct that needs a newer target throws while its chart is built: build everything again from a fresh app.
  while (!app) {
    const attempt = Testing.app();
    configurePlatform(attempt);
    Platform.configure(attempt, { kubernetesVersion: server });
    try {
      for (const [id, build] of BUILDERS) {
        const target = targets[id] ?? server;
        let scope: Construct = attempt;
        if (target !== server) {
          scope = new Construct(attempt, `target-${target.replace('.', '-')}`);
          Platform.configure(scope, { kubernetesVersion: target });
        }
        try {
          build(scope);
          targets[id] = target;
        } catch (e) {
          const needed = /available from Kubernetes (1\.\d+)/.exec((e as Error).message)?.[1];
          if (!needed || target === needed || !(SUPPORTED_KUBERNETES_VERSIONS as readonly string[]).includes(needed)) throw e;
          targets[id] = needed;
          throw new Retry();
        }
      }
      app = attempt;
    } catch (e) {
      if (!(e instanceof Retry)) throw e;
    }
  }
  const objects = app.charts.flatMap((c) => Testing.synth(c) as KubeObject[]);
  const versionOnly: Record<string, KubeFeature[]> = {};
  for (const o of objects) {
    const newer = featuresUsed(o).filter((f) => !versionSupports(server, f));
    if (newer.length) versionOnly[`${o.kind}/${o.metadata.name}`] = newer;
  }
  return { app, objects, targets, versionOnly };
}
