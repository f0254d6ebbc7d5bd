import { IConstruct } from 'constructs';
import { check } from '../core/errors';
import { recordOptions } from '../core/gate';
import { TriggerAuth } from './trigger-auth';
import { TriggerFields } from './trigger-fields';

/** How KEDA compares a trigger's metric with its target. */
export type TriggerMetricType = 'AverageValue' | 'Value' | 'Utilization';

/** Options every queue trigger takes. */
export interface TriggerOptions {
  /** Trigger name, unique within the worker; also names its TriggerAuthentication when there are several. @default - none */
  readonly name?: string;
  /** Credentials, by reference only. @default - none */
  readonly auth?: TriggerAuth;
  /**
   * `AverageValue`: the target is per replica (the metric is divided by the replica count).
   * `Value`: the metric is compared whole. Fallback needs an `AverageValue` trigger.
   * @default 'AverageValue'
   */
  readonly metricType?: 'AverageValue' | 'Value';
  /** Answer the HPA from the scaler's last poll instead of querying the source again. @default false */
  readonly useCachedMetrics?: boolean;
}

/** A trigger validated and in KEDA's form. */
export interface RenderedTrigger {
  readonly type: string;
  readonly name?: string;
  readonly metadata: Record<string, string>;
  readonly metricType?: TriggerMetricType;
  readonly auth?: TriggerAuth;
  readonly useCachedMetrics?: boolean;
  /** Variables of the worker container the scaler reads, by metadata key (`hostFromEnv: 'RABBITMQ_URL'`). */
  readonly envRefs: Record<string, string>;
  /** `cpu` or `memory` for resource triggers: their target is relative to the request. */
  readonly resource?: 'cpu' | 'memory';
}

/** A RabbitMQ queue (`rabbitmq` scaler). */
export interface RabbitMqTriggerProps extends TriggerOptions {
  /** The queue whose messages the workers consume. */
  readonly queueName: string;
  /**
   * `QueueLength`: messages waiting per replica. `MessageRate`: publish rate (messages/second) per
   * replica, read from the management API (needs `protocol: 'http'`).
   * @default 'QueueLength'
   */
  readonly mode?: 'QueueLength' | 'MessageRate';
  /** Target per replica: messages (QueueLength) or messages per second (MessageRate). */
  readonly value: number;
  /** Above this the worker is active (scaled from zero). @default 0 */
  readonly activationValue?: number;
  /**
   * Connection URL without credentials, e.g. `amqp://rabbitmq.queues.svc:5672/vhost`; username and
   * password come from `auth` (parameters `username`, `password`).
   * @default - from `hostFromEnv` or the auth parameter `host`
   */
  readonly host?: string;
  /** A variable of the worker container holding the URL. @default - none */
  readonly hostFromEnv?: string;
  /**
   * How KEDA reads the queue: AMQP, or the management API over HTTP (needed for `MessageRate`).
   * @default 'auto' (from the URL scheme)
   */
  readonly protocol?: 'auto' | 'amqp' | 'http';
  /** Overrides the vhost of the URL. @default - the URL's */
  readonly vhostName?: string;
}

/** A Kafka consumer group's lag (`kafka` scaler). Replicas never exceed the topic's partitions unless `allowIdleConsumers`. */
export interface KafkaTriggerProps extends TriggerOptions {
  /** Brokers as `host:port`. */
  readonly bootstrapServers: string[];
  /** The consumer group of the workers, whose lag is measured. */
  readonly consumerGroup: string;
  /** The topic whose lag is measured. @default - every topic the group consumes */
  readonly topic?: string;
  /** Target lag per replica (messages). */
  readonly lagThreshold: number;
  /** Above this lag the worker is active. @default 0 */
  readonly activationLagThreshold?: number;
  /** Where a group without a committed offset starts. @default 'latest' */
  readonly offsetResetPolicy?: 'latest' | 'earliest';
  /** Allow more replicas than partitions. @default false */
  readonly allowIdleConsumers?: boolean;
  /** SASL mechanism; credentials come from `auth`. @default - none */
  readonly sasl?: 'plaintext' | 'scram_sha256' | 'scram_sha512' | 'oauthbearer' | 'gssapi';
  /** TLS to the brokers. @default false */
  readonly tls?: boolean;
}

/** An AWS SQS queue (`aws-sqs-queue` scaler). */
export interface SqsTriggerProps extends TriggerOptions {
  /** e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/embeddings`. */
  readonly queueURL: string;
  /** Target messages per replica (visible, plus in flight unless `scaleOnInFlight: false`). */
  readonly queueLength: number;
  /** Above this many messages the worker is active (scaled from zero). @default 0 */
  readonly activationQueueLength?: number;
  /** The queue's AWS region, e.g. `eu-west-1`. */
  readonly awsRegion: string;
  /** SQS endpoint URL, for a VPC endpoint or a local emulator. @default - the regional endpoint */
  readonly awsEndpoint?: string;
  /** Count in-flight messages. @default true */
  readonly scaleOnInFlight?: boolean;
  /** Count delayed messages. @default false */
  readonly scaleOnDelayed?: boolean;
  /**
   * Without `auth`: `operator` uses KEDA's own identity. Prefer `auth: TriggerAuth.podIdentity({ provider: 'aws' })`.
   * @default - none; `auth` is then required
   */
  readonly identityOwner?: 'pod' | 'operator';
}

/** Where a Redis server is: exactly one of `address`, `addressFromEnv`, or the auth parameter `address`. */
export interface RedisConnectionProps {
  /** `host:port`. @default - from `addressFromEnv` or the auth parameter `address` */
  readonly address?: string;
  /** A variable of the worker container holding `host:port`. @default - none */
  readonly addressFromEnv?: string;
  /** A variable of the worker container holding the password (or use the auth parameter `password`). @default - none */
  readonly passwordFromEnv?: string;
  /** Redis database number. @default 0 */
  readonly databaseIndex?: number;
  /** Connect over TLS. @default false */
  readonly enableTLS?: boolean;
}

/** The length of a Redis list (`redis` scaler). */
export interface RedisListTriggerProps extends TriggerOptions, RedisConnectionProps {
  /** The list the workers pop items from. */
  readonly listName: string;
  /** Target items per replica. */
  readonly listLength: number;
  /** Above this many items the worker is active (scaled from zero). @default 0 */
  readonly activationListLength?: number;
}

/** A Redis stream (`redis-streams` scaler). */
export interface RedisStreamTriggerProps extends TriggerOptions, RedisConnectionProps {
  /** The stream the workers read. */
  readonly stream: string;
  /**
   * The workers' consumer group, needed for `pendingEntries` and `lag`.
   * @default - none (then only `streamLength` works)
   */
  readonly consumerGroup?: string;
  /**
   * `pendingEntries`: entries read but not acknowledged by the group. `lag`: entries not yet
   * delivered to the group (Redis 7+). `streamLength`: all entries (no group).
   * @default 'pendingEntries' with a consumerGroup, else 'streamLength'
   */
  readonly mode?: 'pendingEntries' | 'lag' | 'streamLength';
  /** Target per replica in the chosen mode. */
  readonly value: number;
  /** Above this count (in the chosen `mode`) the worker is active (scaled from zero). @default 0 */
  readonly activationLagCount?: number;
}

/** A Prometheus query (`prometheus` scaler), e.g. the age of the oldest message. */
export interface PrometheusTriggerProps extends TriggerOptions {
  /** e.g. `http://prometheus.monitoring.svc:9090`. */
  readonly serverAddress: string;
  /** PromQL returning one value. */
  readonly query: string;
  /** Target value per replica. */
  readonly threshold: number;
  /** Above this value the worker is active (scaled from zero). @default 0 */
  readonly activationThreshold?: number;
  /** Tenant namespace (Thanos/Cortex). @default - none */
  readonly namespace?: string;
  /** Treat an empty result as 0 instead of an error. @default true */
  readonly ignoreNullValues?: boolean;
  /** Authentication to the server; its credentials come from `auth`. @default - none */
  readonly authModes?: ('basic' | 'bearer' | 'tls' | 'custom')[];
}

/** Options of a generic trigger. */
export interface GenericTriggerOptions extends TriggerOptions {
  /** Metadata keys the scaler requires, checked here. @default - none */
  readonly requiredMetadata?: string[];
}

/** What a {@link QueueWorker} scales on: a typed KEDA trigger. */
export class QueueTrigger {
  /** Messages waiting in (or published to) a RabbitMQ queue. */
  public static rabbitmq(props: RabbitMqTriggerProps): QueueTrigger {
    return new QueueTrigger('rabbitmq', props, (f) => {
      const mode = f.oneOf('mode', props.mode ?? 'QueueLength', ['QueueLength', 'MessageRate'] as const);
      const protocol = f.oneOf('protocol', props.protocol ?? 'auto', ['auto', 'amqp', 'http'] as const);
      if (props.host !== undefined) f.url('host', props.host, ['amqp', 'amqps', 'http', 'https'], 'amqp://rabbitmq.queues.svc:5672/');
      f.oneSource('host', props.host, props.hostFromEnv, props.auth, 'amqp://rabbitmq.queues.svc:5672/');
      const httpHost = props.host !== undefined && /^https?:/i.test(props.host);
      check(mode !== 'MessageRate' || protocol === 'http' || (protocol === 'auto' && httpHost), f.scope, {
        field: f.field('protocol'),
        value: protocol,
        problem: 'is not http, but mode MessageRate reads rates from the management API',
        fix: "set protocol: 'http' and a management URL (http://host:15672/vhost), or use mode QueueLength",
      });
      return {
        queueName: f.text('queueName', props.queueName, "'embeddings'"),
        mode,
        value: f.positive('value', props.value, false),
        activationValue: f.nonNegative('activationValue', props.activationValue, false),
        host: props.host,
        hostFromEnv: props.hostFromEnv === undefined ? undefined : f.envName('hostFromEnv', props.hostFromEnv),
        protocol: props.protocol,
        vhostName: props.vhostName,
      };
    });
  }

  /** The lag of a Kafka consumer group. */
  public static kafka(props: KafkaTriggerProps): QueueTrigger {
    return new QueueTrigger('kafka', props, (f) => {
      check(Array.isArray(props.bootstrapServers) && props.bootstrapServers.length > 0, f.scope, {
        field: f.field('bootstrapServers'),
        value: props.bootstrapServers,
        problem: 'is required by the scaler',
        fix: "list the brokers, e.g. ['kafka-0.kafka.svc:9092']",
      });
      props.bootstrapServers.forEach((s, i) => f.hostPort(`bootstrapServers[${i}]`, s, 'kafka-0.kafka.svc:9092'));
      const sasl =
        props.sasl === undefined
          ? undefined
          : f.oneOf('sasl', props.sasl, ['plaintext', 'scram_sha256', 'scram_sha512', 'oauthbearer', 'gssapi'] as const);
      if (sasl === 'oauthbearer') f.authProvides(props.auth, ['username', 'password', 'oauthTokenEndpointUri'], `sasl '${sasl}'`);
      else if (sasl === 'gssapi') f.authProvides(props.auth, ['username', 'realm', 'kerberosConfig'], `sasl '${sasl}'`);
      else if (sasl !== undefined) f.authProvides(props.auth, ['username', 'password'], `sasl '${sasl}'`);
      return {
        bootstrapServers: props.bootstrapServers.join(','),
        consumerGroup: f.text('consumerGroup', props.consumerGroup, "'embedding-workers'"),
        topic: props.topic === undefined ? undefined : f.text('topic', props.topic, "'documents'"),
        lagThreshold: f.positive('lagThreshold', props.lagThreshold, true),
        activationLagThreshold: f.nonNegative('activationLagThreshold', props.activationLagThreshold, true),
        offsetResetPolicy:
          props.offsetResetPolicy === undefined
            ? undefined
            : f.oneOf('offsetResetPolicy', props.offsetResetPolicy, ['latest', 'earliest'] as const),
        allowIdleConsumers: bool(props.allowIdleConsumers),
        sasl,
        tls: props.tls === undefined ? undefined : props.tls ? 'enable' : 'disable',
      };
    });
  }

  /** Messages in an AWS SQS queue. */
  public static sqs(props: SqsTriggerProps): QueueTrigger {
    return new QueueTrigger('aws-sqs-queue', props, (f) => {
      const identityOwner =
        props.identityOwner === undefined ? undefined : f.oneOf('identityOwner', props.identityOwner, ['pod', 'operator'] as const);
      const a = props.auth;
      const authenticated =
        a !== undefined &&
        (a.usesIdentity('aws') || a.provides('awsRoleArn') || (a.provides('awsAccessKeyID') && a.provides('awsSecretAccessKey')));
      check(authenticated || identityOwner === 'operator', f.scope, {
        field: f.field('auth'),
        value: a ? a.secrets.map((s) => s.parameter) : undefined,
        problem: 'gives the scaler no AWS identity',
        fix: "set auth: TriggerAuth.podIdentity({ provider: 'aws' }) (or awsAccessKeyID and awsSecretAccessKey from a Secret), or identityOwner: 'operator'",
      });
      const awsRegion = f.text('awsRegion', props.awsRegion, "'eu-west-1'");
      check(/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion), f.scope, {
        field: f.field('awsRegion'),
        value: awsRegion,
        problem: 'is not an AWS region',
        fix: "use e.g. 'eu-west-1'",
      });
      return {
        queueURL: f.url('queueURL', props.queueURL, ['https', 'http'], 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs'),
        queueLength: f.positive('queueLength', props.queueLength, true),
        activationQueueLength: f.nonNegative('activationQueueLength', props.activationQueueLength, true),
        awsRegion,
        awsEndpoint:
          props.awsEndpoint === undefined
            ? undefined
            : f.url('awsEndpoint', props.awsEndpoint, ['https', 'http'], 'https://sqs.eu-west-1.amazonaws.com'),
        scaleOnInFlight: bool(props.scaleOnInFlight),
        scaleOnDelayed: bool(props.scaleOnDelayed),
        identityOwner,
      };
    });
  }

  /** Items in a Redis list. */
  public static redisList(props: RedisListTriggerProps): QueueTrigger {
    return new QueueTrigger('redis', props, (f) => ({
      ...redisConnection(f, props),
      listName: f.text('listName', props.listName, "'jobs'"),
      listLength: f.positive('listLength', props.listLength, true),
      activationListLength: f.nonNegative('activationListLength', props.activationListLength, true),
    }));
  }

  /** Entries of a Redis stream: pending for a consumer group, lag of the group, or stream length. */
  public static redisStream(props: RedisStreamTriggerProps): QueueTrigger {
    return new QueueTrigger('redis-streams', props, (f) => {
      const mode = f.oneOf('mode', props.mode ?? (props.consumerGroup ? 'pendingEntries' : 'streamLength'), [
        'pendingEntries',
        'lag',
        'streamLength',
      ] as const);
      const group = props.consumerGroup === undefined ? undefined : f.text('consumerGroup', props.consumerGroup, "'workers'");
      check((mode === 'streamLength') === (group === undefined), f.scope, {
        field: f.field('consumerGroup'),
        value: group,
        problem:
          mode === 'streamLength'
            ? 'is set with mode streamLength, which KEDA then ignores (it scales on pending entries)'
            : `is required by mode ${mode}`,
        fix:
          mode === 'streamLength'
            ? "remove consumerGroup, or use mode 'pendingEntries' or 'lag'"
            : "set consumerGroup, or use mode 'streamLength'",
      });
      const key = { pendingEntries: 'pendingEntriesCount', lag: 'lagCount', streamLength: 'streamLength' }[mode];
      return {
        ...redisConnection(f, props),
        stream: f.text('stream', props.stream, "'documents'"),
        consumerGroup: group,
        [key]: f.positive('value', props.value, true),
        activationLagCount: f.nonNegative('activationLagCount', props.activationLagCount, true),
      };
    });
  }

  /** The value of a Prometheus query (e.g. oldest message age, backlog from an exporter). */
  public static prometheus(props: PrometheusTriggerProps): QueueTrigger {
    return new QueueTrigger('prometheus', props, (f) => {
      const modes = props.authModes ?? [];
      modes.forEach((m, i) => f.oneOf(`authModes[${i}]`, m, ['basic', 'bearer', 'tls', 'custom'] as const));
      const needs: Record<string, string[]> = {
        basic: ['username', 'password'],
        bearer: ['bearerToken'],
        tls: ['cert', 'key'],
        custom: ['customAuthHeader', 'customAuthValue'],
      };
      for (const m of modes) f.authProvides(props.auth, needs[m], `authModes '${m}'`);
      return {
        serverAddress: f.url('serverAddress', props.serverAddress, ['http', 'https'], 'http://prometheus.monitoring.svc:9090'),
        query: f.text('query', props.query, '\'sum(rabbitmq_queue_messages_ready{queue="docs"})\''),
        threshold: f.positive('threshold', props.threshold, false),
        activationThreshold: f.nonNegative('activationThreshold', props.activationThreshold, false),
        namespace: props.namespace,
        ignoreNullValues: bool(props.ignoreNullValues),
        authModes: modes.length ? modes.join(',') : undefined,
      };
    });
  }

  /** Average CPU use as a percentage of the request. Never scales to zero on its own. */
  public static cpuUtilization(percent: number, options: { readonly name?: string } = {}): QueueTrigger {
    return QueueTrigger.resource('cpu', percent, options.name);
  }

  /** Average memory use as a percentage of the request. Never scales to zero on its own. */
  public static memoryUtilization(percent: number, options: { readonly name?: string } = {}): QueueTrigger {
    return QueueTrigger.resource('memory', percent, options.name);
  }

  /** Any other KEDA scaler: `type` and its metadata as the scaler documents them. Credentials go in `auth`. */
  public static generic(type: string, metadata: Record<string, string>, options: GenericTriggerOptions = {}): QueueTrigger {
    return new QueueTrigger(type, { ...options, type, metadata } as TriggerOptions, (f) => {
      check(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(type), f.scope, {
        field: f.field('type'),
        value: type,
        problem: 'is not a KEDA scaler type',
        fix: "use the scaler's type, e.g. 'azure-servicebus'",
      });
      check(type !== 'cpu' && type !== 'memory', f.scope, {
        field: f.field('type'),
        value: type,
        problem: 'is a resource trigger',
        fix: 'use QueueTrigger.cpuUtilization / memoryUtilization',
      });
      for (const key of options.requiredMetadata ?? []) f.text(`metadata.${key}`, metadata[key], `metadata: { ${key}: '...' }`);
      return { ...metadata };
    });
  }

  private static resource(resource: 'cpu' | 'memory', percent: number, name?: string): QueueTrigger {
    return new QueueTrigger(
      resource,
      { name },
      (f) => {
        check(Number.isInteger(percent) && percent > 0 && percent <= 1000, f.scope, {
          field: f.field('value'),
          value: percent,
          problem: 'is not a whole percentage above 0',
          fix: 'use e.g. 70 for 70 % of the request',
        });
        return { value: String(percent) };
      },
      resource,
    );
  }

  private constructor(
    /** The KEDA scaler type. */
    public readonly type: string,
    private readonly options: TriggerOptions,
    private readonly build: (f: TriggerFields) => Record<string, string | undefined>,
    private readonly resource?: 'cpu' | 'memory',
  ) {
    recordOptions(this, options);
  }

  /** Validates the trigger (reported as `field`) and returns its KEDA form. @internal */
  public render(scope: IConstruct, field: string): RenderedTrigger {
    const f = new TriggerFields(scope, field);
    const metadata = Object.fromEntries(Object.entries(this.build(f)).filter((e): e is [string, string] => e[1] !== undefined));
    f.noCredentials(metadata);
    const o = this.options;
    if (o.name !== undefined) {
      check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.name) && o.name.length <= 40, scope, {
        field: `${field}.name`,
        value: o.name,
        problem: 'is not a short DNS label',
        fix: "use at most 40 lowercase letters, digits and '-'",
      });
    }
    // KEDA's admission webhook rejects cached metrics for these scalers.
    check(!(o.useCachedMetrics && (this.resource || this.type === 'cron')), scope, {
      field: `${field}.useCachedMetrics`,
      value: true,
      problem: `is not supported by the ${this.type} scaler`,
      fix: 'remove useCachedMetrics',
    });
    const envRefs = Object.fromEntries(
      Object.entries(metadata)
        .filter(([k]) => k.endsWith('FromEnv'))
        .map(([k, v]) => [k, f.envName(k, v)]),
    );
    return {
      type: this.type,
      name: o.name,
      metadata,
      metricType: this.resource ? 'Utilization' : o.metricType,
      auth: o.auth,
      useCachedMetrics: o.useCachedMetrics,
      envRefs,
      resource: this.resource,
    };
  }
}

function redisConnection(f: TriggerFields, props: RedisConnectionProps & TriggerOptions): Record<string, string | undefined> {
  if (props.address !== undefined) f.hostPort('address', props.address, 'redis.queues.svc:6379');
  f.oneSource('address', props.address, props.addressFromEnv, props.auth, 'redis.queues.svc:6379');
  return {
    address: props.address,
    addressFromEnv: props.addressFromEnv,
    passwordFromEnv: props.passwordFromEnv,
    databaseIndex: f.nonNegative('databaseIndex', props.databaseIndex, true),
    enableTLS: bool(props.enableTLS),
  };
}

function bool(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : String(value);
}
