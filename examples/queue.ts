import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { MlEnvValue, Platform, ProbeHandler, QueueTrigger, QueueWorker, TriggerAuth } from '../src';

/** Queue consumers: an embedding backfill that scales 0-50 and a long-running document processor. */
export function queueChart(scope: Construct): Chart {
  const chart = new Chart(scope, 'queue', { namespace: 'ml-queue' });
  Platform.configure(chart, { labels: { team: 'search' } });

  // kubernetes-for-ml section 5: scale on queue length, to zero when the backlog is empty.
  // Up to 20 waiting messages per worker; a message takes at most 2 minutes, so a scale-in
  // waits 2.5 minutes (plus margin) before stopping a worker.
  new QueueWorker(chart, 'embedding-backfill', {
    image: 'registry.example.com/embedding-backfill:v1.4.0',
    resources: { cpu: '1', memory: '2Gi', memoryLimit: '3Gi' },
    env: { RABBITMQ_URL: MlEnvValue.fromSecret('rabbitmq-embeddings', 'amqp-url') },
    maxProcessingTime: Duration.minutes(2),
    startupTime: Duration.seconds(90),
    minReplicas: 0,
    maxReplicas: 50,
    cooldownPeriod: Duration.minutes(5),
    // The worker's own health server: alive (the consume loop is not stuck), ready (connected to the broker).
    probes: {
      liveness: { handler: ProbeHandler.httpGet('/healthz', { port: 8080 }) },
      readiness: { handler: ProbeHandler.httpGet('/ready', { port: 8080 }) },
    },
    triggers: [QueueTrigger.rabbitmq({ queueName: 'embedding-backfill', mode: 'QueueLength', value: 20, hostFromEnv: 'RABBITMQ_URL' })],
    networkPolicy: { egressTo: [{ to: { namespace: 'messaging', podLabels: { 'app.kubernetes.io/name': 'rabbitmq' } }, ports: [5672] }] },
  });

  // A document can take 45 minutes (OCR + chunking + embedding): longer than a node drain waits,
  // so the worker becomes a KEDA ScaledJob (one Job per message) that no scale-in interrupts.
  new QueueWorker(chart, 'document-processor', {
    image: 'registry.example.com/document-processor:v0.9.2',
    resources: { cpu: '4', memory: '16Gi' },
    maxProcessingTime: Duration.minutes(45),
    maxReplicas: 20,
    triggers: [
      QueueTrigger.sqs({
        queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/documents',
        queueLength: 1,
        awsRegion: 'eu-west-1',
        auth: TriggerAuth.podIdentity({ provider: 'aws', identityOwner: 'workload' }),
      }),
    ],
    job: { scalingStrategy: 'accurate' },
    networkPolicy: { egressTo: [{ to: { cidr: '0.0.0.0/0' }, ports: [443] }] }, // SQS and S3 over HTTPS
  });
  return chart;
}
