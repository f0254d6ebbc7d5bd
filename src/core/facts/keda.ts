import { FactSource } from './source';

/**
 * KEDA's operator metrics as Prometheus stores them when the KEDA Helm chart's ServiceMonitor scrapes
 * them: the chart sets no `honorLabels`, so each series' own `namespace` (the ScaledObject's) conflicts
 * with the target's and is kept as `exported_namespace`; `namespace` becomes KEDA's own.
 */
export const KEDA_FACTS = {
  source: {
    repository: 'kedacore/keda',
    version: 'v2.20.2',
    commit: '68a5b5028f35b22d50597c69819ab32c4e92f21a',
    paths: ['pkg/metricscollector/prommetrics.go'],
    note: 'labels: namespace, metric, scaledObject, scaler, triggerIndex, type',
  } satisfies FactSource,
  chart: {
    repository: 'kedacore/charts',
    version: 'v2.20.2',
    commit: 'cbb9bb8ce0809dc9048f72302f7c09765d66ed56',
    paths: ['keda/templates/manager/servicemonitor.yaml', 'keda/README.md'],
    note: 'no honorLabels in the ServiceMonitor or its values',
  } satisfies FactSource,
  /** The label holding the ScaledObject's namespace on the scraped series. */
  namespaceLabel: 'exported_namespace',
} as const;
