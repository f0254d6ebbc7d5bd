import { Duration } from 'cdk8s';
import { MlEnvValue, QueueTrigger, QueueWorker, TriggerAuth } from '../src';
import { Manifest, one, synthValid, testChart } from './helpers';

const base = {
  image: 'registry.example.com/worker:v1.0.0',
  resources: { cpu: '500m', memory: '1Gi' },
  env: {
    REDIS_ADDRESS: 'redis.queues.svc:6379',
    REDIS_PASSWORD: MlEnvValue.fromSecret('redis', 'password'),
    RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq', 'url'),
  },
  maxProcessingTime: Duration.minutes(1),
  maxReplicas: 5,
  networkPolicy: { egressTo: [{ to: { namespace: 'queues' } }] },
};

const cases: Record<string, QueueTrigger> = {
  'rabbitmq-rate': QueueTrigger.rabbitmq({
    queueName: 'documents',
    mode: 'MessageRate',
    value: 2.5,
    activationValue: 0.5,
    protocol: 'http',
    vhostName: 'ml',
    host: 'https://rabbitmq.queues.svc:15671/',
    auth: TriggerAuth.fromSecret('rabbitmq', { username: 'user', password: 'password' }),
  }),
  kafka: QueueTrigger.kafka({
    bootstrapServers: ['kafka-0.kafka.svc:9092', 'kafka-1.kafka.svc:9092'],
    consumerGroup: 'scorers',
    topic: 'features',
    lagThreshold: 100,
    activationLagThreshold: 5,
    offsetResetPolicy: 'earliest',
    allowIdleConsumers: false,
    sasl: 'scram_sha512',
    tls: true,
    auth: TriggerAuth.fromSecret('kafka', { username: 'user', password: 'password' }).withSecret('kafka-ca', { ca: 'ca.crt' }),
  }),
  sqs: QueueTrigger.sqs({
    queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/scoring',
    queueLength: 10,
    activationQueueLength: 1,
    awsRegion: 'eu-west-1',
    scaleOnInFlight: false,
    scaleOnDelayed: true,
    auth: TriggerAuth.fromSecret('aws', { awsAccessKeyID: 'id', awsSecretAccessKey: 'secret' }),
  }),
  'redis-list': QueueTrigger.redisList({
    addressFromEnv: 'REDIS_ADDRESS',
    passwordFromEnv: 'REDIS_PASSWORD',
    listName: 'jobs',
    listLength: 20,
    activationListLength: 2,
    databaseIndex: 1,
    enableTLS: true,
  }),
  'redis-stream': QueueTrigger.redisStream({
    address: 'redis.queues.svc:6379',
    stream: 'events',
    consumerGroup: 'scorers',
    mode: 'lag',
    value: 50,
    activationLagCount: 3,
    auth: TriggerAuth.fromSecret('redis', { password: 'password' }),
  }),
  prometheus: QueueTrigger.prometheus({
    serverAddress: 'https://prometheus.monitoring.svc:9090',
    query: 'max(queue_oldest_message_age_seconds{queue="docs"})',
    threshold: 60,
    activationThreshold: 10,
    namespace: 'ml',
    ignoreNullValues: false,
    authModes: ['bearer'],
    auth: TriggerAuth.fromSecret('prometheus', { bearerToken: 'token' }),
  }),
  generic: QueueTrigger.generic(
    'azure-servicebus',
    { queueName: 'docs', messageCount: '5', connectionFromEnv: 'RABBITMQ_URL' },
    { requiredMetadata: ['queueName'], useCachedMetrics: true },
  ),
};

const chart = testChart();
for (const [id, trigger] of Object.entries(cases)) new QueueWorker(chart, id, { ...base, triggers: [trigger] });
const objects = synthValid(chart);
const triggerOf = (id: string) => one(objects, 'ScaledObject', id).spec.triggers[0];
const authOf = (id: string) => one(objects, 'TriggerAuthentication', id).spec;

test('snapshot', () => {
  expect(objects.filter((o: Manifest) => o.apiVersion.startsWith('keda.sh/'))).toMatchSnapshot();
});

test('RabbitMQ message rate over the management API', () => {
  expect(triggerOf('rabbitmq-rate')).toEqual({
    type: 'rabbitmq',
    authenticationRef: { name: 'rabbitmq-rate' },
    metadata: {
      queueName: 'documents',
      mode: 'MessageRate',
      value: '2.5',
      activationValue: '0.5',
      protocol: 'http',
      vhostName: 'ml',
      host: 'https://rabbitmq.queues.svc:15671/',
    },
  });
});

test('Kafka consumer-group lag with SASL and TLS from Secrets', () => {
  expect(triggerOf('kafka').metadata).toEqual({
    bootstrapServers: 'kafka-0.kafka.svc:9092,kafka-1.kafka.svc:9092',
    consumerGroup: 'scorers',
    topic: 'features',
    lagThreshold: '100',
    activationLagThreshold: '5',
    offsetResetPolicy: 'earliest',
    allowIdleConsumers: 'false',
    sasl: 'scram_sha512',
    tls: 'enable',
  });
  expect(authOf('kafka').secretTargetRef.map((s: any) => s.parameter)).toEqual(['username', 'password', 'ca']);
});

test('SQS with static keys from a Secret', () => {
  expect(triggerOf('sqs').metadata).toEqual({
    queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/scoring',
    queueLength: '10',
    activationQueueLength: '1',
    awsRegion: 'eu-west-1',
    scaleOnInFlight: 'false',
    scaleOnDelayed: 'true',
  });
});

test('Redis list from container variables, stream lag with a consumer group', () => {
  expect(triggerOf('redis-list')).toEqual({
    type: 'redis',
    metadata: {
      addressFromEnv: 'REDIS_ADDRESS',
      passwordFromEnv: 'REDIS_PASSWORD',
      listName: 'jobs',
      listLength: '20',
      activationListLength: '2',
      databaseIndex: '1',
      enableTLS: 'true',
    },
  });
  expect(triggerOf('redis-stream').metadata).toEqual({
    address: 'redis.queues.svc:6379',
    stream: 'events',
    consumerGroup: 'scorers',
    lagCount: '50',
    activationLagCount: '3',
  });
});

test('Prometheus query with bearer auth', () => {
  expect(triggerOf('prometheus').metadata).toEqual({
    serverAddress: 'https://prometheus.monitoring.svc:9090',
    query: 'max(queue_oldest_message_age_seconds{queue="docs"})',
    threshold: '60',
    activationThreshold: '10',
    namespace: 'ml',
    ignoreNullValues: 'false',
    authModes: 'bearer',
  });
  expect(authOf('prometheus')).toEqual({ secretTargetRef: [{ parameter: 'bearerToken', name: 'prometheus', key: 'token' }] });
});

test('a generic trigger passes its metadata through', () => {
  expect(triggerOf('generic')).toEqual({
    type: 'azure-servicebus',
    useCachedMetrics: true,
    metadata: { queueName: 'docs', messageCount: '5', connectionFromEnv: 'RABBITMQ_URL' },
  });
});

test('redis-streams modes: pending entries by default with a group, stream length without', () => {
  const c = testChart();
  new QueueWorker(c, 'a', {
    ...base,
    triggers: [QueueTrigger.redisStream({ address: 'r:6379', stream: 's', consumerGroup: 'g', value: 5 })],
  });
  new QueueWorker(c, 'b', { ...base, triggers: [QueueTrigger.redisStream({ address: 'r:6379', stream: 's', value: 500 })] });
  const objs = synthValid(c);
  expect(one(objs, 'ScaledObject', 'a').spec.triggers[0].metadata).toMatchObject({ pendingEntriesCount: '5' });
  expect(one(objs, 'ScaledObject', 'b').spec.triggers[0].metadata).toEqual({ address: 'r:6379', stream: 's', streamLength: '500' });
});

describe('a trigger without its required fields, or with bad ones', () => {
  const w = (trigger: QueueTrigger) => () => new QueueWorker(testChart(), 'w', { ...base, triggers: [trigger] });
  test.each<[string, () => QueueTrigger, RegExp]>([
    [
      'rabbitmq queueName',
      () => QueueTrigger.rabbitmq({ queueName: '', value: 5, hostFromEnv: 'RABBITMQ_URL' }),
      /QueueWorker 'test\/w': triggers\[0\].queueName \(\) is required by the scaler; set queueName/,
    ],
    [
      'rabbitmq value',
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 0, hostFromEnv: 'RABBITMQ_URL' }),
      /triggers\[0\].value \(0\) is not a positive number; set the per-replica target/,
    ],
    [
      'rabbitmq host',
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 5 }),
      /triggers\[0\].host \(unset\) is required by the scaler; set host .*, hostFromEnv, or auth: TriggerAuth.fromSecret\('<secret>', \{ host: '<key>' \}\)/,
    ],
    [
      'rabbitmq host twice',
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 5, host: 'amqp://r:5672/', hostFromEnv: 'RABBITMQ_URL' }),
      /triggers\[0\].host \(amqp:\/\/r:5672\/\) is given more than once/,
    ],
    [
      'rabbitmq host scheme',
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 5, host: 'rabbitmq:5672' }),
      /triggers\[0\].host \(rabbitmq:5672\) is not a URL with scheme amqp, amqps, http, https/,
    ],
    [
      'rabbitmq MessageRate over amqp',
      () => QueueTrigger.rabbitmq({ queueName: 'q', mode: 'MessageRate', value: 5, hostFromEnv: 'RABBITMQ_URL' }),
      /triggers\[0\].protocol \(auto\) is not http, but mode MessageRate reads rates from the management API; set protocol: 'http'/,
    ],
    [
      'rabbitmq mode',
      () => QueueTrigger.rabbitmq({ queueName: 'q', mode: 'Age' as any, value: 5, hostFromEnv: 'RABBITMQ_URL' }),
      /triggers\[0\].mode \(Age\) is not supported by the scaler; use one of QueueLength, MessageRate/,
    ],
    [
      'kafka bootstrapServers',
      () => QueueTrigger.kafka({ bootstrapServers: [], consumerGroup: 'g', lagThreshold: 5 }),
      /triggers\[0\].bootstrapServers \(\[\]\) is required by the scaler/,
    ],
    [
      'kafka broker form',
      () => QueueTrigger.kafka({ bootstrapServers: ['kafka'], consumerGroup: 'g', lagThreshold: 5 }),
      /triggers\[0\].bootstrapServers\[0\] \(kafka\) is not 'host:port'/,
    ],
    [
      'kafka consumerGroup',
      () => QueueTrigger.kafka({ bootstrapServers: ['k:9092'], consumerGroup: undefined as any, lagThreshold: 5 }),
      /triggers\[0\].consumerGroup \(unset\) is required by the scaler/,
    ],
    [
      'kafka lag not an integer',
      () => QueueTrigger.kafka({ bootstrapServers: ['k:9092'], consumerGroup: 'g', lagThreshold: 2.5 }),
      /triggers\[0\].lagThreshold \(2.5\) is not a positive integer/,
    ],
    [
      'kafka activation negative',
      () => QueueTrigger.kafka({ bootstrapServers: ['k:9092'], consumerGroup: 'g', lagThreshold: 5, activationLagThreshold: -1 }),
      /triggers\[0\].activationLagThreshold \(-1\) is not a non-negative integer/,
    ],
    [
      'kafka SASL without credentials',
      () => QueueTrigger.kafka({ bootstrapServers: ['k:9092'], consumerGroup: 'g', lagThreshold: 5, sasl: 'plaintext' }),
      /triggers\[0\].auth \(unset\) lacks username, password, which sasl 'plaintext' needs; add auth: TriggerAuth.fromSecret\('<secret>', \{ username: '<key>', password: '<key>' \}\)/,
    ],
    [
      'kafka OAuth without endpoint',
      () =>
        QueueTrigger.kafka({
          bootstrapServers: ['k:9092'],
          consumerGroup: 'g',
          lagThreshold: 5,
          sasl: 'oauthbearer',
          auth: TriggerAuth.fromSecret('k', { username: 'u', password: 'p' }),
        }),
      /lacks oauthTokenEndpointUri, which sasl 'oauthbearer' needs/,
    ],
    [
      'sqs without identity',
      () => QueueTrigger.sqs({ queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q', queueLength: 5, awsRegion: 'eu-west-1' }),
      /triggers\[0\].auth \(unset\) gives the scaler no AWS identity; set auth: TriggerAuth.podIdentity\(\{ provider: 'aws' \}\)/,
    ],
    [
      'sqs with half a key pair',
      () =>
        QueueTrigger.sqs({
          queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
          queueLength: 5,
          awsRegion: 'eu-west-1',
          auth: TriggerAuth.fromSecret('aws', { awsAccessKeyID: 'id' }),
        }),
      /gives the scaler no AWS identity/,
    ],
    [
      'sqs region',
      () =>
        QueueTrigger.sqs({
          queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/q',
          queueLength: 5,
          awsRegion: 'Ireland',
          identityOwner: 'operator',
        }),
      /triggers\[0\].awsRegion \(Ireland\) is not an AWS region/,
    ],
    [
      'sqs queueURL',
      () => QueueTrigger.sqs({ queueURL: 'sqs/q', queueLength: 5, awsRegion: 'eu-west-1', identityOwner: 'operator' }),
      /triggers\[0\].queueURL \(sqs\/q\) is not a URL with scheme https, http/,
    ],
    [
      'redis address',
      () => QueueTrigger.redisList({ listName: 'l', listLength: 5 }),
      /triggers\[0\].address \(unset\) is required by the scaler/,
    ],
    [
      'redis address form',
      () => QueueTrigger.redisList({ address: 'redis://r:6379', listName: 'l', listLength: 5 }),
      /triggers\[0\].address \(redis:\/\/r:6379\) is not 'host:port'/,
    ],
    [
      'redis listName',
      () => QueueTrigger.redisList({ address: 'r:6379', listName: ' ', listLength: 5 }),
      /triggers\[0\].listName \( \) is required by the scaler/,
    ],
    [
      'redis stream length with a group',
      () => QueueTrigger.redisStream({ address: 'r:6379', stream: 's', consumerGroup: 'g', mode: 'streamLength', value: 5 }),
      /triggers\[0\].consumerGroup \(g\) is set with mode streamLength, which KEDA then ignores/,
    ],
    [
      'redis stream lag without a group',
      () => QueueTrigger.redisStream({ address: 'r:6379', stream: 's', mode: 'lag', value: 5 }),
      /triggers\[0\].consumerGroup \(unset\) is required by mode lag/,
    ],
    [
      'prometheus query',
      () => QueueTrigger.prometheus({ serverAddress: 'http://p:9090', query: '', threshold: 5 }),
      /triggers\[0\].query \(\) is required by the scaler/,
    ],
    [
      'prometheus threshold',
      () => QueueTrigger.prometheus({ serverAddress: 'http://p:9090', query: 'up', threshold: -1 }),
      /triggers\[0\].threshold \(-1\) is not a positive number/,
    ],
    [
      'prometheus basic auth without credentials',
      () => QueueTrigger.prometheus({ serverAddress: 'http://p:9090', query: 'up', threshold: 5, authModes: ['basic'] }),
      /triggers\[0\].auth \(unset\) lacks username, password, which authModes 'basic' needs/,
    ],
    [
      'generic required metadata',
      () => QueueTrigger.generic('nats-jetstream', { stream: 's' }, { requiredMetadata: ['account'] }),
      /triggers\[0\].metadata.account \(unset\) is required by the scaler/,
    ],
    ['generic type', () => QueueTrigger.generic('Azure Queue', {}), /triggers\[0\].type \(Azure Queue\) is not a KEDA scaler type/],
    [
      'generic cpu',
      () => QueueTrigger.generic('cpu', { value: '50' }),
      /triggers\[0\].type \(cpu\) is a resource trigger; use QueueTrigger.cpuUtilization/,
    ],
    ['cpu percentage', () => QueueTrigger.cpuUtilization(0.5), /triggers\[0\].value \(0.5\) is not a whole percentage above 0/],
    ['trigger name', () => QueueTrigger.cpuUtilization(50, { name: 'CPU' }), /triggers\[0\].name \(CPU\) is not a short DNS label/],
    [
      'useCachedMetrics on cron',
      () =>
        QueueTrigger.generic(
          'cron',
          { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' },
          { useCachedMetrics: true },
        ),
      /triggers\[0\].useCachedMetrics \(true\) is not supported by the cron scaler/,
    ],
  ])('%s', (_, trigger, message) => {
    expect(w(trigger())).toThrow(message);
  });
});

describe('credentials only by reference', () => {
  const w = (trigger: QueueTrigger) => () => new QueueWorker(testChart(), 'w', { ...base, triggers: [trigger] });
  test.each<[string, () => QueueTrigger, RegExp]>([
    [
      'a password in the RabbitMQ URL',
      () => QueueTrigger.rabbitmq({ queueName: 'q', value: 5, host: 'amqp://guest:hunter2@rabbitmq:5672/' }),
      /triggers\[0\].host \(<redacted>\) contains a credential \(a URL with a password\), readable by anyone who can read the ScaledObject; remove it and pass it by reference: auth: TriggerAuth.fromSecret\('<secret>', \{ host: '<key>' \}\) or hostFromEnv/,
    ],
    [
      'a password in the Prometheus URL',
      () => QueueTrigger.prometheus({ serverAddress: 'https://admin:hunter2@p:9090', query: 'up', threshold: 1 }),
      /triggers\[0\].serverAddress \(<redacted>\) contains a credential/,
    ],
    [
      'a password key in generic metadata',
      () => QueueTrigger.generic('mysql', { query: 'select 1', password: 'hunter2' }),
      /triggers\[0\].metadata.password \(<redacted>\) is a credential written into trigger metadata .*; pass it by reference: auth: TriggerAuth.fromSecret\('<secret>', \{ password: '<key>' \}\) or passwordFromEnv/,
    ],
    [
      'an AWS secret key in generic metadata',
      () => QueueTrigger.generic('aws-cloudwatch', { awsSecretAccessKey: 'hunter2' }),
      /triggers\[0\].metadata.awsSecretAccessKey \(<redacted>\) is a credential/,
    ],
    [
      'a connection string with a key',
      () => QueueTrigger.generic('azure-servicebus', { queueName: 'q', connectionString: 'Endpoint=sb://x/;SharedAccessKey=hunter2' }),
      /triggers\[0\].metadata.connectionString \(<redacted>\) is a credential/,
    ],
    [
      'a key inside a connection value',
      () => QueueTrigger.generic('azure-eventhub', { storageInfo: 'DefaultEndpointsProtocol=https;AccountKey=hunter2' }),
      /triggers\[0\].metadata.storageInfo \(<redacted>\) contains a credential/,
    ],
  ])('%s', (_, trigger, message) => {
    expect(w(trigger())).toThrow(message);
    expect(w(trigger())).not.toThrow(/hunter2/);
  });

  test('a reference to a variable holding the credential is fine', () => {
    expect(w(QueueTrigger.generic('mysql', { query: 'select 1', passwordFromEnv: 'RABBITMQ_URL' }))).not.toThrow();
  });
});

describe('TriggerAuth', () => {
  const w = (auth: TriggerAuth) => () =>
    new QueueWorker(testChart(), 'w', {
      ...base,
      triggers: [QueueTrigger.rabbitmq({ queueName: 'q', value: 5, hostFromEnv: 'RABBITMQ_URL', auth })],
    });
  test.each<[string, () => TriggerAuth, RegExp]>([
    [
      'bad Secret name',
      () => TriggerAuth.fromSecret('Rabbit_MQ', { username: 'u' }),
      /triggers\[0\].auth secret \(Rabbit_MQ\) is not a valid Secret name/,
    ],
    [
      'bad Secret key',
      () => TriggerAuth.fromSecret('rabbitmq', { username: 'user name' }),
      /triggers\[0\].auth key \(user name\) is not a valid Secret key/,
    ],
    [
      'parameter twice',
      () =>
        TriggerAuth.fromSecrets([
          { parameter: 'password', secretName: 'a', key: 'p' },
          { parameter: 'password', secretName: 'b', key: 'p' },
        ]),
      /triggers\[0\].auth parameter \(password\) is given twice/,
    ],
    [
      'bad parameter',
      () => TriggerAuth.fromSecret('rabbitmq', { 'user-name': 'u' }),
      /triggers\[0\].auth parameter \(user-name\) is not a scaler parameter name/,
    ],
    ['no parameter', () => TriggerAuth.fromSecret('rabbitmq', {}), /triggers\[0\].auth \(\{\}\) supplies no parameter/],
    [
      'roleArn with identityOwner',
      () => TriggerAuth.podIdentity({ provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/r', identityOwner: 'workload' }),
      /podIdentity .* sets both roleArn and identityOwner/,
    ],
    [
      'bad roleArn',
      () => TriggerAuth.podIdentity({ provider: 'aws', roleArn: 'keda-role' }),
      /triggers\[0\].auth podIdentity.roleArn \(keda-role\) is not an IAM role ARN/,
    ],
    ['AWS fields for GCP', () => TriggerAuth.podIdentity({ provider: 'gcp', identityOwner: 'keda' }), /sets AWS fields for provider 'gcp'/],
    [
      'Secret parameters added to an existing object',
      () => TriggerAuth.existing('shared').withSecret('x', { password: 'p' }),
      /triggers\[0\].auth \(shared\) adds Secret parameters to an existing TriggerAuthentication/,
    ],
    [
      'existing with a bad name',
      () => TriggerAuth.existing('Shared Auth'),
      /triggers\[0\].auth name \(Shared Auth\) is not a valid object name/,
    ],
  ])('%s', (_, auth, message) => {
    expect(w(auth())).toThrow(message);
  });
});
