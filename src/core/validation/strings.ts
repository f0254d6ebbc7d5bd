/**
 * The string grammars the Kubernetes API server (and the kubelet, the scheduler, the container
 * runtime) enforce, as pure predicates. Every construct validates through these (via the
 * `require*` helpers in names.ts, quantity.ts, image.ts, ...), so one grammar lives in one place.
 * Sources: k8s.io/apimachinery/pkg/util/validation (IsDNS1123Label, IsDNS1035Label,
 * IsDNS1123Subdomain, IsQualifiedName, IsValidLabelValue, IsEnvVarName, IsValidPortName,
 * IsWildcardDNS1123Subdomain), apimachinery path validation (IsValidPathSegmentName), the
 * distribution reference grammar (image names) and NVIDIA's MIG profile naming.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** DNS-1123 label: ≤ 63 lowercase alphanumerics or '-', alphanumeric at both ends (most object names). */
export function isDns1123Label(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS1123_LABEL.test(value);
}

/** DNS-1035 label: a DNS-1123 label that starts with a letter (Service names). */
export function isDns1035Label(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && DNS1035_LABEL.test(value);
}

/** DNS-1123 subdomain: ≤ 253 characters, dot-separated DNS-1123 labels. */
export function isDns1123Subdomain(value: string): boolean {
  if (typeof value !== 'string' || value.length === 0 || value.length > 253) return false;
  if (!value.includes('.')) return DNS1123_LABEL.test(value);
  return value.split('.').every((l) => DNS1123_LABEL.test(l));
}

/** A hostname for a route: a DNS-1123 subdomain, optionally with `*` as the whole first label (`*.example.com`). */
export function isRouteHostname(value: string): boolean {
  if (typeof value !== 'string') return false;
  const rest = value.startsWith('*.') ? value.slice(2) : value;
  return !rest.includes('*') && isDns1123Subdomain(rest);
}

/**
 * A qualified name: `[prefix/]name`, prefix a DNS-1123 subdomain (≤ 253), name ≤ 63 characters of
 * `[A-Za-z0-9-_.]` with alphanumeric ends. Label keys, annotation keys, extended resource names.
 */
export function isQualifiedName(value: string): boolean {
  if (typeof value !== 'string') return false;
  const parts = value.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1];
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_PART.test(name)) return false;
  return parts.length === 1 || isDns1123Subdomain(parts[0]);
}

/** A label value: empty, or ≤ 63 characters of `[A-Za-z0-9-_.]` with alphanumeric ends. */
export function isLabelValue(value: string): boolean {
  return typeof value === 'string' && value.length <= 63 && LABEL_VALUE.test(value);
}

/** An extended resource name (`vendor.example/resource`): a qualified name with a domain prefix outside kubernetes.io. */
export function isExtendedResourceName(value: string): boolean {
  if (!isQualifiedName(value) || !value.includes('/')) return false;
  const prefix = value.split('/')[0];
  return prefix.includes('.') && prefix !== 'kubernetes.io' && !prefix.endsWith('.kubernetes.io') && prefix !== 'requests';
}

/** An environment variable name as the API validates it: `[-._a-zA-Z][-._a-zA-Z0-9]*`, not `.` or `..`. */
export function isEnvVarName(value: string): boolean {
  return typeof value === 'string' && ENV_VAR_NAME.test(value) && value !== '.' && value !== '..' && !value.startsWith('..');
}

/** A port name (IANA_SVC_NAME): ≤ 15 lowercase alphanumerics or '-', at least one letter, no '--', alphanumeric ends. */
export function isPortName(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= 15 &&
    IANA_SVC_NAME.test(value) &&
    /[a-z]/.test(value) &&
    !value.includes('--')
  );
}

/** A TCP/UDP port number: an integer from 1 to 65535. */
export function isPortNumber(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** The largest replica count, port-free integer or uid the API stores (its fields are int32). */
export const MAX_INT32 = 2 ** 31 - 1;

/** A metric name the autoscaling API accepts: non-empty path segment (no '/', no '%', not '.' or '..'). */
export function isMetricName(value: string): boolean {
  return typeof value === 'string' && value.length > 0 && !/[/%]/.test(value) && value !== '.' && value !== '..' && !/\s/.test(value);
}

const PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const REGISTRY_HOST =
  /^(([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(\.([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[0-9a-fA-F:]+\])(:[0-9]+)?$/;

/**
 * The repository part of an image reference (`[host[:port]/]path`), per the distribution reference
 * grammar: path components lowercase alphanumerics separated by `.`, `_`, `__` or dashes; the whole
 * name at most 255 characters. Upper case is only allowed in the registry host.
 */
export function isImageRepository(registry: string | undefined, repository: string): boolean {
  if (registry !== undefined && !REGISTRY_HOST.test(registry)) return false;
  const full = registry !== undefined ? `${registry}/${repository}` : repository;
  return full.length <= 255 && repository.length > 0 && repository.split('/').every((c) => PATH_COMPONENT.test(c));
}

/**
 * NVIDIA MIG profiles of the GPUs that support MIG (A30, A100 40/80 GB, H100 80/94/96 GB, H200, GH200,
 * B200, GB200), as `<compute slices>g.<memory>gb`; `+me` (media extensions) only on the 1g profiles that have it.
 */
export const MIG_PROFILES: readonly string[] = [
  // A30 24GB
  '1g.6gb',
  '1g.6gb+me',
  '2g.12gb',
  '2g.12gb+me',
  '4g.24gb',
  // A100 40GB
  '1g.5gb',
  '1g.5gb+me',
  '1g.10gb',
  '2g.10gb',
  '3g.20gb',
  '4g.20gb',
  '7g.40gb',
  // A100 80GB, H100 80GB
  '1g.10gb+me',
  '1g.20gb',
  '2g.20gb',
  '3g.40gb',
  '4g.40gb',
  '7g.80gb',
  // H100 94GB (NVL), GH200 96GB
  '1g.12gb',
  '1g.12gb+me',
  '1g.24gb',
  '2g.24gb',
  '3g.47gb',
  '4g.47gb',
  '7g.94gb',
  '3g.48gb',
  '4g.48gb',
  '7g.96gb',
  // H200 141GB
  '1g.18gb',
  '1g.18gb+me',
  '1g.35gb',
  '2g.35gb',
  '3g.71gb',
  '4g.71gb',
  '7g.141gb',
  // B200 180GB, GB200 186GB
  '1g.23gb',
  '1g.23gb+me',
  '1g.45gb',
  '2g.45gb',
  '3g.90gb',
  '4g.90gb',
  '7g.180gb',
  '1g.47gb',
  '2g.47gb',
  '3g.93gb',
  '4g.93gb',
  '7g.186gb',
];

/** Normalizes a MIG profile (`1g.5gb+me` or `1g.5gb.me`) to NVIDIA's name, or undefined if no GPU has it. */
export function migProfile(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.replace(/\.me$/, '+me');
  return MIG_PROFILES.includes(name) ? name : undefined;
}

/** The device plugin's resource for a MIG profile: `nvidia.com/mig-1g.5gb`, `+me` written as `.me`. */
export function migResourceName(profile: string): string {
  return `nvidia.com/mig-${profile.replace('+me', '.me')}`;
}

/** Time zone abbreviations and legacy POSIX names that are not tz database Area/Location names. */
const LEGACY_ZONES = /^([A-Z]{2,5}|[A-Z]{3}\d{1,2}[A-Z]{3}|[A-Z]{3}\d)$/;

/**
 * True for a time zone written as an IANA Area/Location name (`Europe/Berlin`), `UTC` or `Etc/...`.
 * Abbreviations (`EST`, `PST`, `CET`) and POSIX-style names (`EST5EDT`) are rejected: most are not
 * zones at all, the rest are legacy links whose meaning (DST or not) surprises.
 */
export function isIanaZoneName(value: string): boolean {
  if (typeof value !== 'string') return false;
  if (value === 'UTC') return true;
  return !LEGACY_ZONES.test(value) && (value.includes('/') || value === 'GMT');
}

/** An IPv4 address in dotted decimal: four numbers from 0 to 255 (leading zeros allowed, as Kubernetes' sloppy parser does). */
export function isIpv4(value: string): boolean {
  if (typeof value !== 'string') return false;
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** An IPv6 address (RFC 4291 text form: eight hex groups, one `::` run of zeros, an optional dotted IPv4 tail). */
export function isIpv6(value: string): boolean {
  if (typeof value !== 'string' || value.length > 45 || !value.includes(':')) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = (text: string): string[] | undefined => {
    if (text === '') return [];
    const parts = text.split(':');
    const last = parts[parts.length - 1];
    if (last.includes('.')) {
      if (!isIpv4(last)) return undefined;
      parts.splice(parts.length - 1, 1, '0', '0'); // an IPv4 tail fills two groups
    }
    return parts.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g)) ? parts : undefined;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return false;
  if (halves.length === 2) return head.length + tail.length <= 7;
  return head.length === 8;
}

/** The address family of a CIDR (`10.0.0.0/8` → 4, `fd00::/8` → 6), or undefined when it is not one. */
export function cidrFamily(value: string): 4 | 6 | undefined {
  if (typeof value !== 'string') return undefined;
  const slash = value.indexOf('/');
  if (slash < 0) return undefined;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return undefined;
  if (isIpv4(ip)) return Number(bits) <= 32 ? 4 : undefined;
  if (isIpv6(ip)) return Number(bits) <= 128 ? 6 : undefined;
  return undefined;
}

/** A CIDR of either family, as the API server parses `ipBlock.cidr`. */
export function isCidr(value: string): boolean {
  return cidrFamily(value) !== undefined;
}

/** The address of an IPv4 or IPv6 text as a big integer and its bit width. */
function ipBits(ip: string): { readonly value: bigint; readonly width: number } {
  if (isIpv4(ip)) return { value: ip.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n), width: 32 };
  const [head, tail = ''] = ip.split('::');
  const expand = (text: string): number[] => {
    if (text === '') return [];
    return text.split(':').flatMap((g) => {
      if (!g.includes('.')) return [parseInt(g, 16)];
      const [a, b, c, d] = g.split('.').map(Number);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const h = expand(head);
  const t = expand(tail);
  const all = ip.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  return { value: all.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n), width: 128 };
}

/** Whether CIDR `inner` lies inside CIDR `outer` and is strictly smaller (what `ipBlock.except` must be). */
export function isStrictSubnet(inner: string, outer: string): boolean {
  const fi = cidrFamily(inner);
  if (fi === undefined || fi !== cidrFamily(outer)) return false;
  const [iIp, iBits] = inner.split('/');
  const [oIp, oBits] = outer.split('/');
  if (Number(iBits) <= Number(oBits)) return false;
  const a = ipBits(iIp);
  const b = ipBits(oIp);
  const shift = BigInt(a.width - Number(oBits));
  return a.value >> shift === b.value >> shift;
}

/** A ConfigMap or Secret key (`IsConfigMapKey`): ≤ 253 characters of `[-._a-zA-Z0-9]`, not `.` or `..`. */
export function isConfigMapKey(value: string): boolean {
  return (
    typeof value === 'string' &&
    value.length > 0 &&
    value.length <= 253 &&
    /^[-._a-zA-Z0-9]+$/.test(value) &&
    value !== '.' &&
    value !== '..' &&
    !value.startsWith('..')
  );
}

/** An HTTP header name (RFC 7230 token), as probes' `httpHeaders` need. */
export function isHttpHeaderName(value: string): boolean {
  return typeof value === 'string' && /^[-!#$%&'*+.^_`|~0-9A-Za-z]+$/.test(value);
}

/** A whole-number percentage as an int-or-string field takes it (`'25%'`). */
export function isPercent(value: string): boolean {
  return typeof value === 'string' && /^(0|[1-9][0-9]*)%$/.test(value);
}

/** A name the API server accepts as a path segment (custom resources' references): not `.`/`..`, no `/` or `%`. */
export function isPathSegmentName(value: string): boolean {
  return typeof value === 'string' && value.length > 0 && value !== '.' && value !== '..' && !/[/%]/.test(value);
}
