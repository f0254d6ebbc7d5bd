import { IConstruct } from 'constructs';
import type {
  TriggerAuthenticationSpec,
  TriggerAuthenticationSpecPodIdentityIdentityOwner,
  TriggerAuthenticationSpecPodIdentityProvider,
} from '../../imports/keda-triggerauthentication-keda.sh';
import { check } from '../core/errors';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const PARAMETER = /^[A-Za-z][A-Za-z0-9_]*$/;

/** One Secret key handed to a scaler as one authentication parameter. */
export interface SecretParameter {
  /** The scaler's parameter (e.g. `host`, `password`, `awsAccessKeyID`). */
  readonly parameter: string;
  /** The Secret in the workload's namespace. */
  readonly secretName: string;
  /** The key in that Secret. */
  readonly key: string;
}

/** A platform-native identity the scaler authenticates with instead of stored credentials. */
export interface PodIdentityProps {
  /** `aws` (EKS Pod Identity or IRSA), `azure-workload` or `gcp` (Workload Identity). */
  readonly provider: 'aws' | 'azure-workload' | 'gcp';
  /** AWS: a role KEDA assumes for this trigger. @default - the identity of `identityOwner` */
  readonly roleArn?: string;
  /**
   * AWS: whose identity to use when no role is given: KEDA's operator or the scaled workload's
   * service account.
   * @default 'keda'
   */
  readonly identityOwner?: 'keda' | 'workload';
  /** Azure: client ID of the managed identity. @default - KEDA's */
  readonly identityId?: string;
}

/** An existing (Cluster)TriggerAuthentication managed outside this app. */
export interface ExistingAuthRef {
  /** Name of the existing object; a TriggerAuthentication must be in the worker's namespace. */
  readonly name: string;
  /** A namespaced `TriggerAuthentication` or a cluster-wide `ClusterTriggerAuthentication`. */
  readonly kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
}

/**
 * How a scaler authenticates: Secret references or a pod identity, turned into a KEDA
 * TriggerAuthentication; or an existing one. Credentials are never literal values.
 */
export class TriggerAuth {
  /**
   * Parameters from keys of one Secret: `TriggerAuth.fromSecret('rabbitmq', { host: 'url' })` hands
   * the Secret's key `url` to the scaler as its `host` parameter.
   */
  public static fromSecret(secretName: string, parameters: Record<string, string>): TriggerAuth {
    return new TriggerAuth(Object.entries(parameters).map(([parameter, key]) => ({ parameter, secretName, key })));
  }

  /** Parameters from keys of several Secrets. */
  public static fromSecrets(parameters: SecretParameter[]): TriggerAuth {
    return new TriggerAuth([...parameters]);
  }

  /** A platform-native identity (no stored credentials at all). */
  public static podIdentity(props: PodIdentityProps): TriggerAuth {
    return new TriggerAuth([], props);
  }

  /** A TriggerAuthentication or ClusterTriggerAuthentication that exists already; its parameters are not checked here. */
  public static existing(name: string, kind: ExistingAuthRef['kind'] = 'TriggerAuthentication'): TriggerAuth {
    return new TriggerAuth([], undefined, { name, kind });
  }

  private constructor(
    /** Secret-backed parameters. */
    public readonly secrets: SecretParameter[],
    /** Pod identity, if any. */
    public readonly podIdentity?: PodIdentityProps,
    /** Set for an existing object: nothing is generated. */
    public readonly existing?: ExistingAuthRef,
  ) {}

  /** Adds Secret-backed parameters (e.g. a TLS CA next to a pod identity). */
  public withSecret(secretName: string, parameters: Record<string, string>): TriggerAuth {
    return new TriggerAuth([...this.secrets, ...TriggerAuth.fromSecret(secretName, parameters).secrets], this.podIdentity, this.existing);
  }

  /** True when this auth supplies `parameter` (always true for an existing object, which cannot be inspected). */
  public provides(parameter: string): boolean {
    return this.existing !== undefined || this.secrets.some((s) => s.parameter === parameter);
  }

  /** True when this auth uses the pod identity of `provider` (or may: an existing object). */
  public usesIdentity(provider: PodIdentityProps['provider']): boolean {
    return this.existing !== undefined || this.podIdentity?.provider === provider;
  }

  /** Validates names and returns the TriggerAuthentication spec; undefined for an existing object. @internal */
  public toSpec(scope: IConstruct, field: string): TriggerAuthenticationSpec | undefined {
    if (this.existing) {
      check(this.secrets.length === 0, scope, {
        field,
        value: this.existing.name,
        problem: 'adds Secret parameters to an existing TriggerAuthentication',
        fix: 'add the Secret parameters to that TriggerAuthentication, or use TriggerAuth.fromSecret(name, { parameter: key }) instead of the existing one',
      });
      check(DNS_SUBDOMAIN.test(this.existing.name) && this.existing.name.length <= 253, scope, {
        field: `${field} name`,
        value: this.existing.name,
        problem: 'is not a valid object name',
        fix: 'use the name of the existing TriggerAuthentication',
      });
      return undefined;
    }
    check(this.secrets.length > 0 || this.podIdentity !== undefined, scope, {
      field,
      value: {},
      problem: 'supplies no parameter',
      fix: 'use TriggerAuth.fromSecret(name, { parameter: key }) or TriggerAuth.podIdentity(...)',
    });
    const seen = new Set<string>();
    for (const s of this.secrets) {
      check(PARAMETER.test(s.parameter), scope, {
        field: `${field} parameter`,
        value: s.parameter,
        problem: 'is not a scaler parameter name',
        fix: "use the scaler's parameter, e.g. 'host' or 'password'",
      });
      check(!seen.has(s.parameter), scope, {
        field: `${field} parameter`,
        value: s.parameter,
        problem: 'is given twice',
        fix: 'map each parameter to one Secret key',
      });
      seen.add(s.parameter);
      check(DNS_SUBDOMAIN.test(s.secretName) && s.secretName.length <= 253, scope, {
        field: `${field} secret`,
        value: s.secretName,
        problem: 'is not a valid Secret name',
        fix: "use lowercase letters, digits, '-' and '.'",
      });
      check(SECRET_KEY.test(s.key) && s.key.length <= 253, scope, {
        field: `${field} key`,
        value: s.key,
        problem: 'is not a valid Secret key',
        fix: "use letters, digits, '-', '_' and '.'",
      });
    }
    const id = this.podIdentity;
    if (id) {
      check(!(id.roleArn !== undefined && id.identityOwner !== undefined), scope, {
        field: `${field} podIdentity`,
        value: id,
        problem: 'sets both roleArn and identityOwner',
        fix: 'set one: KEDA treats them as mutually exclusive',
      });
      check(id.provider === 'aws' || (id.roleArn === undefined && id.identityOwner === undefined), scope, {
        field: `${field} podIdentity`,
        value: id,
        problem: `sets AWS fields for provider '${id.provider}'`,
        fix: "use roleArn and identityOwner only with provider 'aws'",
      });
      check(id.roleArn === undefined || /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(id.roleArn), scope, {
        field: `${field} podIdentity.roleArn`,
        value: id.roleArn,
        problem: 'is not an IAM role ARN',
        fix: "use 'arn:aws:iam::<account>:role/<name>'",
      });
    }
    return {
      ...(this.secrets.length
        ? { secretTargetRef: this.secrets.map((s) => ({ parameter: s.parameter, name: s.secretName, key: s.key })) }
        : {}),
      ...(id
        ? {
            podIdentity: {
              provider: id.provider as TriggerAuthenticationSpecPodIdentityProvider,
              ...(id.roleArn ? { roleArn: id.roleArn } : {}),
              ...(id.identityOwner ? { identityOwner: id.identityOwner as TriggerAuthenticationSpecPodIdentityIdentityOwner } : {}),
              ...(id.identityId ? { identityId: id.identityId } : {}),
            },
          }
        : {}),
    };
  }
}
