import { Construct } from 'constructs';
import type { HttpRoute } from '../../imports/gateway-httproute-gateway.networking.k8s.io';
import { check } from '../core/errors';
import { isRouteHostname } from '../core/validation/strings';
import { requireDnsLabel } from '../core/names';

/** The Gateway API route in front of a service. */
export interface GatewayRouteProps {
  /** The Gateway to attach to (its listener must admit routes from the workload's namespace). */
  readonly gateway: {
    /** The Gateway's name. */
    readonly name: string;
    /** The Gateway's namespace. @default - the workload's namespace */
    readonly namespace?: string;
    /** The Gateway listener to attach to. @default - every listener that admits the route */
    readonly sectionName?: string;
  };
  /** Host names the route answers for (`Host` header). @default - any hostname the Gateway accepts */
  readonly hostnames?: string[];
  /** Requests whose path starts with this prefix are routed to the workload. @default '/' */
  readonly pathPrefix?: string;
  /**
   * What replaces `pathPrefix` before the request reaches the server (an HTTPRoute `URLRewrite` with
   * `ReplacePrefixMatch`): `'/'` strips it, so `/405b/v1/completions` reaches vLLM as `/v1/completions`.
   * `false` forwards the path unchanged (a server that serves under the prefix itself).
   * @default - '/' in front of a model-server runtime (vLLM, TGI and Triton serve at their root) when
   * `pathPrefix` is not '/', else none
   */
  readonly rewritePrefix?: string | false;
}

/** A weighted backend of the route: a Service, or an InferencePool (then no port and no weight). */
export interface RouteBackend {
  readonly service: string;
  /** Service port; none for an InferencePool. */
  readonly port?: number;
  /** @default - none (the only backend) */
  readonly weight?: number;
  /** @default - a core Service */
  readonly group?: string;
  /** @default 'Service' */
  readonly kind?: string;
}

/** An HTTPRoute (gateway.networking.k8s.io/v1) splitting traffic between backends by weight. */
export function weightedRoute(
  owner: Construct,
  meta: { name: string; namespace: string; labels: Record<string, string> },
  props: GatewayRouteProps,
  backends: RouteBackend[],
  serverRoot?: { readonly runtime: string },
): HttpRoute {
  requireDnsLabel(owner, 'route.gateway.name', props.gateway.name);
  if (props.gateway.namespace !== undefined) requireDnsLabel(owner, 'route.gateway.namespace', props.gateway.namespace);
  (props.hostnames ?? []).forEach((h, i) =>
    check(isRouteHostname(h), owner, {
      field: `route.hostnames[${i}]`,
      value: h,
      problem: h.includes('*') ? 'has a wildcard that is not the whole first label' : 'is not a DNS hostname',
      fix: "use a lowercase DNS name such as 'api.example.com', or '*.example.com' for a wildcard",
    }),
  );
  const path = props.pathPrefix ?? '/';
  check(path.startsWith('/'), owner, {
    field: 'route.pathPrefix',
    value: path,
    problem: 'does not start with /',
    fix: "use e.g. '/v1/predict'",
  });
  const rewrite = props.rewritePrefix ?? (serverRoot && path !== '/' ? '/' : false);
  check(rewrite === false || (typeof rewrite === 'string' && rewrite.startsWith('/')), owner, {
    field: 'route.rewritePrefix',
    value: rewrite,
    problem: 'does not start with /',
    fix: "use '/' to strip pathPrefix, or false to forward the path unchanged",
  });
  check(!(serverRoot && path !== '/' && rewrite === false), owner, {
    field: 'route.rewritePrefix',
    value: false,
    problem: `forwards ${path}/... unchanged, but the ${serverRoot?.runtime} server serves its API at / (every request would be a 404)`,
    fix: "leave rewritePrefix unset (the prefix is replaced by '/'), or drop pathPrefix",
  });
  // The generated Gateway API module is large: loaded only by apps that route.
  const gateway =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('../../imports/gateway-httproute-gateway.networking.k8s.io') as typeof import('../../imports/gateway-httproute-gateway.networking.k8s.io');
  return new gateway.HttpRoute(owner, 'Route', {
    metadata: meta,
    spec: {
      parentRefs: [{ name: props.gateway.name, namespace: props.gateway.namespace, sectionName: props.gateway.sectionName }],
      hostnames: props.hostnames,
      rules: [
        {
          matches: [{ path: { type: gateway.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: path } }],
          ...(rewrite !== false
            ? {
                filters: [
                  {
                    type: gateway.HttpRouteSpecRulesFiltersType.URL_REWRITE,
                    urlRewrite: {
                      path: { type: gateway.HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_PREFIX_MATCH, replacePrefixMatch: rewrite },
                    },
                  },
                ],
              }
            : {}),
          backendRefs: backends.map((b) => ({
            group: b.group,
            kind: b.kind ?? 'Service',
            name: b.service,
            port: b.port,
            weight: b.weight,
          })),
        },
      ],
    },
  });
}
