import { isRouteHostname } from '../../validation/strings';
import { DNS_SUBDOMAIN, checkCount, checkLabels, checkPortNumber, checkReference } from '../checks';
import { GateContext, GateObject } from '../gate';

/** Gateway API HTTPRoutes and Inference Extension InferencePools: references, hostnames, ports, weights. */
export function gatewayRule(ctx: GateContext, o: GateObject): void {
  if (o.kind === 'HTTPRoute' && o.group === 'gateway.networking.k8s.io') {
    const s = o.json.spec ?? {};
    (s.parentRefs ?? []).forEach((r: any, i: number) => {
      checkReference(ctx, o, `spec.parentRefs[${i}].name`, r?.name, r?.kind ?? 'Gateway', DNS_SUBDOMAIN);
      if (r?.namespace !== undefined) checkReference(ctx, o, `spec.parentRefs[${i}].namespace`, r.namespace, 'Namespace', DNS_SUBDOMAIN);
      if (r?.port !== undefined) checkPortNumber(ctx, o, `spec.parentRefs[${i}].port`, r.port);
    });
    (s.hostnames ?? []).forEach((h: unknown, i: number) => {
      if (typeof h !== 'string' || !isRouteHostname(h) || /^\d+\.\d+\.\d+\.\d+$/.test(h))
        ctx.report(
          o,
          `spec.hostnames[${i}]`,
          h,
          'is not a route hostname',
          "use a DNS name, '*' only as the whole first label (e.g. '*.example.com'); no IP addresses",
        );
    });
    (s.rules ?? []).forEach((r: any, i: number) => {
      (r?.backendRefs ?? []).forEach((b: any, j: number) => {
        const bp = `spec.rules[${i}].backendRefs[${j}]`;
        checkReference(ctx, o, `${bp}.name`, b?.name, b?.kind ?? 'Service', DNS_SUBDOMAIN);
        if (b?.port !== undefined) checkPortNumber(ctx, o, `${bp}.port`, b.port);
        if ((b?.kind ?? 'Service') === 'Service' && (b?.group ?? '') === '' && b?.port === undefined)
          ctx.report(o, `${bp}.port`, b?.port, 'is required for a Service backend', 'give the Service port');
        if (b?.weight !== undefined) checkCount(ctx, o, `${bp}.weight`, b.weight, 0, 1000000);
      });
    });
  }
  if (o.kind === 'InferencePool') {
    const s = o.json.spec ?? {};
    checkLabels(ctx, o, 'spec.selector.matchLabels', s.selector?.matchLabels);
    (s.targetPorts ?? []).forEach((t: any, i: number) => checkPortNumber(ctx, o, `spec.targetPorts[${i}].number`, t?.number));
    const epp = s.endpointPickerRef;
    if (epp?.name !== undefined) checkReference(ctx, o, 'spec.endpointPickerRef.name', epp.name, epp.kind ?? 'Service', DNS_SUBDOMAIN);
    if (epp?.port?.number !== undefined) checkPortNumber(ctx, o, 'spec.endpointPickerRef.port.number', epp.port.number);
  }
}
