import { IConstruct } from 'constructs';
import { workloadsOf } from '../core/workload-identity';
import { OnlineInference } from './online-inference';

/** What one serving workload releases. */
export interface ReleaseRow {
  /** The OnlineInference's name (its Deployment's). */
  readonly workload: string;
  /** Its namespace. */
  readonly namespace: string;
  /** Image of the stable track. */
  readonly stableImage: string;
  /** Model version of the stable track; undefined without a declared model. */
  readonly stableVersion?: string;
  /** Image of the canary track; undefined without a canary. */
  readonly canaryImage?: string;
  /** Model version of the canary track; undefined without a canary or a model. */
  readonly canaryVersion?: string;
  /** How traffic is split (`replica-weighted` or `gateway`); undefined without a canary. */
  readonly strategy?: string;
  /** Requested canary share, percent. */
  readonly weight?: number;
  /** Share the split achieves, percent (replica ratio at the floor for replica weighting). */
  readonly achievedShare?: number;
  /** Replica floor of the stable track. */
  readonly stableReplicas: number;
  /** Replicas of the canary track at the floor; undefined without a canary. */
  readonly canaryReplicas?: number;
}

/** Every OnlineInference of the app, with its canary if any. */
export function releaseReport(scope: IConstruct): ReleaseRow[] {
  return workloadsOf(scope)
    .filter((w): w is OnlineInference => w instanceof OnlineInference)
    .map((w) => ({
      workload: w.name,
      namespace: w.namespace,
      stableImage: w.image,
      stableVersion: w.modelVersion,
      canaryImage: w.canary?.image,
      canaryVersion: w.canary?.model?.version,
      strategy: w.canary?.plan.strategy,
      weight: w.canary?.plan.weight,
      achievedShare: w.canary?.plan.achievedShare,
      stableReplicas: w.minReplicas,
      canaryReplicas: w.canary?.plan.canaryReplicas,
    }))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.workload.localeCompare(b.workload));
}

/** The report as Markdown, with the rollback commands for each workload. */
export function formatReleaseReport(rows: ReleaseRow[]): string {
  const lines = [
    '# Releases',
    '',
    '| namespace | workload | stable | canary | strategy | share asked | share achieved | replicas (stable + canary) |',
    '| --- | --- | --- | --- | --- | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    const stable = `${r.stableVersion ?? '-'} (${r.stableImage})`;
    const canary = r.canaryImage ? `${r.canaryVersion ?? '-'} (${r.canaryImage})` : '-';
    lines.push(
      `| ${r.namespace} | ${r.workload} | ${stable} | ${canary} | ${r.strategy ?? '-'} | ${r.weight !== undefined ? `${r.weight} %` : '-'} | ${r.achievedShare !== undefined ? `${r.achievedShare} %` : '-'} | ${r.stableReplicas}${r.canaryReplicas ? ` + ${r.canaryReplicas}` : ''} |`,
    );
  }
  lines.push('', "Promote: make the canary's image/model the stable one and remove `canary`. Roll back a stable release:", '');
  for (const r of rows)
    lines.push(
      `- ${r.workload}: \`kubectl rollout history deploy/${r.workload} -n ${r.namespace}\`, then \`kubectl rollout undo deploy/${r.workload} -n ${r.namespace}\``,
    );
  return `${lines.join('\n')}\n`;
}
