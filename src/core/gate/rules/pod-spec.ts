import { isDns1123Subdomain, isIpv4, isIpv6 } from '../../validation/strings';
import { DNS_LABEL, DNS_SUBDOMAIN, checkCount, checkGrammar, checkLabels, checkQuantity, checkReference } from '../checks';
import { GateContext, GateObject } from '../gate';
import { PodTemplateRef, podTemplatesOf } from '../pod-templates';
import { checkAnnotations } from './metadata';
import { checkContainer, containersOf } from './containers';
import { checkAffinity, checkTolerations, checkTopologySpread } from './scheduling';
import { portOwner } from '../owned';

const RESTART_POLICIES: Record<string, string[]> = {
  Deployment: ['Always'],
  ReplicaSet: ['Always'],
  StatefulSet: ['Always'],
  DaemonSet: ['Always'],
  LeaderWorkerSet: ['Always'],
  Job: ['OnFailure', 'Never'],
  Pod: ['Always', 'OnFailure', 'Never'],
};

/** Every pod template of every object, as `ValidatePodTemplateSpec` and the kubelet would judge it. */
export function podSpecRule(ctx: GateContext, o: GateObject): void {
  for (const t of podTemplatesOf(o)) checkPodTemplate(ctx, t);
}

function checkPodTemplate(ctx: GateContext, t: PodTemplateRef): void {
  const { object: o, path: p, spec } = t;
  checkLabels(ctx, o, `${t.metadataPath}.labels`, t.metadata?.labels);
  checkAnnotations(ctx, o, `${t.metadataPath}.annotations`, t.metadata?.annotations);

  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v: any, i: number) => {
    const vp = `${p}.volumes[${i}]`;
    if (checkGrammar(ctx, o, `${vp}.name`, v?.name, DNS_LABEL, 'a volume name')) {
      if (volumeNames.has(v.name)) ctx.report(o, `${vp}.name`, v.name, 'names two volumes of the pod', 'give each volume its own name');
      volumeNames.add(v.name);
    }
    if (v?.persistentVolumeClaim)
      checkReference(
        ctx,
        o,
        `${vp}.persistentVolumeClaim.claimName`,
        v.persistentVolumeClaim.claimName,
        'PersistentVolumeClaim',
        DNS_SUBDOMAIN,
      );
    if (v?.secret) checkReference(ctx, o, `${vp}.secret.secretName`, v.secret.secretName, 'Secret', DNS_SUBDOMAIN);
    if (v?.configMap) checkReference(ctx, o, `${vp}.configMap.name`, v.configMap.name, 'ConfigMap', DNS_SUBDOMAIN);
    if (v?.emptyDir?.sizeLimit !== undefined) checkQuantity(ctx, o, `${vp}.emptyDir.sizeLimit`, v.emptyDir.sizeLimit, true);
    (v?.projected?.sources ?? []).forEach((s: any, j: number) => {
      if (s?.secret) checkReference(ctx, o, `${vp}.projected.sources[${j}].secret.name`, s.secret.name, 'Secret', DNS_SUBDOMAIN);
      if (s?.configMap)
        checkReference(ctx, o, `${vp}.projected.sources[${j}].configMap.name`, s.configMap.name, 'ConfigMap', DNS_SUBDOMAIN);
    });
    const claim = v?.ephemeral?.volumeClaimTemplate?.spec;
    if (claim?.storageClassName !== undefined && claim.storageClassName !== '')
      checkReference(
        ctx,
        o,
        `${vp}.ephemeral.volumeClaimTemplate.spec.storageClassName`,
        claim.storageClassName,
        'StorageClass',
        DNS_SUBDOMAIN,
      );
  });

  const containers = containersOf(t);
  if ((spec.containers ?? []).length === 0) ctx.report(o, `${p}.containers`, [], 'is empty', 'give the pod at least one container');
  const containerNames = new Set<unknown>();
  for (const c of containers) {
    const name = c.container?.name;
    if (containerNames.has(name))
      ctx.report(
        o,
        `${c.path}.name`,
        name,
        'is used twice as a container name in one pod',
        'give each container (init containers included) its own name',
      );
    containerNames.add(name);
  }
  for (const c of containers) {
    checkGrammar(ctx, o, `${c.path}.name`, c.container?.name, DNS_LABEL, 'a container name');
    checkContainer(ctx, t, c, volumeNames);
  }
  checkPodPorts(ctx, t);

  (spec.imagePullSecrets ?? []).forEach((s: any, i: number) =>
    checkReference(ctx, o, `${p}.imagePullSecrets[${i}].name`, s?.name, 'Secret', DNS_SUBDOMAIN),
  );
  if (spec.priorityClassName !== undefined)
    checkGrammar(ctx, o, `${p}.priorityClassName`, spec.priorityClassName, DNS_SUBDOMAIN, 'a PriorityClass name');
  if (spec.serviceAccountName !== undefined)
    checkGrammar(ctx, o, `${p}.serviceAccountName`, spec.serviceAccountName, DNS_SUBDOMAIN, 'a ServiceAccount name');
  if (spec.hostname !== undefined) checkGrammar(ctx, o, `${p}.hostname`, spec.hostname, DNS_LABEL, 'a hostname');
  if (spec.subdomain !== undefined) checkGrammar(ctx, o, `${p}.subdomain`, spec.subdomain, DNS_LABEL, 'a subdomain');
  checkLabels(ctx, o, `${p}.nodeSelector`, spec.nodeSelector);
  checkTolerations(ctx, o, `${p}.tolerations`, spec.tolerations);
  checkAffinity(ctx, o, `${p}.affinity`, spec.affinity);
  checkTopologySpread(ctx, o, `${p}.topologySpreadConstraints`, spec.topologySpreadConstraints);
  const sc = spec.securityContext;
  if (sc) {
    for (const f of ['runAsUser', 'runAsGroup', 'fsGroup']) {
      if (sc[f] !== undefined)
        checkCount(ctx, o, `${p}.securityContext.${f}`, sc[f], 0, 2147483647, 'use a numeric id from 0 to 2147483647');
    }
    if (sc.runAsNonRoot === true && sc.runAsUser === 0)
      ctx.report(
        o,
        `${p}.securityContext.runAsUser`,
        0,
        'is root while runAsNonRoot is true, so the kubelet refuses to start the pod',
        'use a non-root uid, e.g. 65532',
      );
  }
  if (spec.terminationGracePeriodSeconds !== undefined)
    checkCount(ctx, o, `${p}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 0);
  if (spec.activeDeadlineSeconds !== undefined) checkCount(ctx, o, `${p}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 1);
  const allowed = RESTART_POLICIES[t.controller];
  if (spec.restartPolicy !== undefined && allowed && !allowed.includes(spec.restartPolicy))
    ctx.report(o, `${p}.restartPolicy`, spec.restartPolicy, `is not allowed for pods of a ${t.controller}`, `use ${allowed.join(' or ')}`);
  const dns = spec.dnsConfig;
  if (dns) {
    (dns.nameservers ?? []).forEach((n: unknown, i: number) => {
      if (typeof n !== 'string' || (!isIpv4(n) && !isIpv6(n)))
        ctx.report(o, `${p}.dnsConfig.nameservers[${i}]`, n, 'is not an IP address', "give the server's address, e.g. 10.96.0.10");
    });
    if ((dns.nameservers ?? []).length > 3)
      ctx.report(o, `${p}.dnsConfig.nameservers`, dns.nameservers, 'lists more than 3 servers', 'keep at most 3');
    (dns.searches ?? []).forEach((s: unknown, i: number) => {
      if (typeof s !== 'string' || !isDns1123Subdomain(s.replace(/\.$/, '')))
        ctx.report(o, `${p}.dnsConfig.searches[${i}]`, s, 'is not a DNS domain', 'give a domain, e.g. svc.cluster.local');
    });
  }
}

/**
 * Two things on one port: two container ports of the pod on one number and protocol (only one server
 * can bind it), or one port name in two containers (Services, probes and monitors that select the
 * port by name pick the first).
 */
function checkPodPorts(ctx: GateContext, t: PodTemplateRef): void {
  const numbers = new Map<string, string>();
  const names = new Map<string, string>();
  for (const c of containersOf(t)) {
    if (c.init && c.container?.restartPolicy !== 'Always') continue; // init containers run before the others and may reuse ports
    (c.container?.ports ?? []).forEach((port: any, i: number) => {
      const pp = `${c.path}.ports[${i}]`;
      const key = `${port?.containerPort}/${port?.protocol ?? 'TCP'}`;
      const first = numbers.get(key);
      if (first !== undefined)
        ctx.report(
          t.object,
          `${pp}.containerPort`,
          port.containerPort,
          `is already declared by ${first}: two servers cannot bind one port`,
          'give each server of the pod its own port',
        );
      else {
        const owner = typeof port?.name === 'string' ? portOwner(t.object.construct, c.container?.name, port.name) : undefined;
        numbers.set(key, `${c.container?.name}'s port '${port?.name ?? port?.containerPort}'${owner ? ` (${owner})` : ''}`);
      }
      if (typeof port?.name !== 'string') return;
      const owner = names.get(port.name);
      if (owner !== undefined && owner !== c.container?.name)
        ctx.report(
          t.object,
          `${pp}.name`,
          port.name,
          `is also a port name of container '${owner}': Services, probes and monitors that select the port by name would take the first`,
          'give each port of the pod its own name',
        );
      else names.set(port.name, c.container?.name);
    });
  }
}
