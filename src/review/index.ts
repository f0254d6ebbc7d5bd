/**
 * The review engine: checks plain Kubernetes objects (our synthesized output, hand-written YAML,
 * Helm output) against the ML-serving mistakes of the reference docs.
 */
export * from './types';
export { review, reviewDocuments, compareFindings, ENGINE_RULES, INPUT_RULE_ID, ANNOTATION_RULE_ID, INTERNAL_RULE_ID } from './engine';
export { DISABLE_ANNOTATION, SEVERITY_ANNOTATION } from './annotations';
export { formatJson, formatSummary, formatTable } from './format';
export type { TableOptions } from './format';
export { extractPodTemplate, extractPodTemplates, containersOf, labelSelectorSelects } from './kube';
export { DEFAULT_PLATFORM, resolvePlatform } from './platform';
export type { PlatformAssumptions, ReviewPlatform } from './platform';
export type { ContainerInfo, ContainerRole } from './kube';
export { isAcceleratorResource } from './rules/common';
export { REMOVED_APIS, findRemovedApi } from './rules/apiversions';
export type { RemovedApi } from './rules/apiversions';
export { defaultRules } from './rules';
export { parseManifests, loadManifests, collectManifestFiles, MissingPathError, MANIFEST_EXTENSIONS } from './load';
export type { LoadResult } from './load';
export { main as reviewCli } from './cli';
export type { CliIO } from './cli';
export { reviewApp, reviewOnSynth } from './synth';
export type { ReviewOnSynthOptions } from './synth';
export { MlReviewValidation } from './plugin';
export type { MlReviewValidationProperties } from './plugin';
