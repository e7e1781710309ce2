import { App, Stack } from 'aws-cdk-lib';
import { failoverSteps } from '../../local/local-workflow';
import { Template } from 'aws-cdk-lib/assertions';
import { InMemoryConfigStore } from '../../adapters/config-store/in-memory-config-store.twin';
import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { InMemoryPublisher } from '../../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../../adapters/state-store/in-memory-state-store.twin';
import { InMemoryTraffic } from '../../adapters/traffic/in-memory-traffic.twin';
import type { ControllerConfig, Policy } from '../../domain/config';
import { executionNameFor, type FailoverRequest } from '../../domain/decision';
import type { StateExpectations } from '../../domain/ports/state-store.port';
import type { ControllerState, InFlight, SignalRecord } from '../../domain/state';
import type { Resources } from '../../edge/resources.schema';
import type { FailoverStep } from '../../handlers/steps/step-names';
import { FailoverWorkflow, type FailoverWorkflowProps } from '../../infra/controller/failover-workflow.construct';
import { testConfig, T0 } from '../domain/fixtures';
import type { StepFn, TemplateJson } from '../support/asl';

/** The reference app in two regions: us-east-1 (primary, failing) and us-east-2 (standby). */
export const PRIMARY = 'us-east-1';
export const STANDBY = 'us-east-2';
export const ACCOUNT = '123456789012';

export const RESOURCES: Resources = {
  stateTableName: 'payments-test-controller-state',
  controllerBusName: 'payments-test-controller',
  controllerRegion: STANDBY,
  parameterPrefix: '/payments/test',
  database: {
    globalClusterIdentifier: 'payments',
    clusterArns: {
      [PRIMARY]: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:payments-use1`,
      [STANDBY]: `arn:aws:rds:${STANDBY}:${ACCOUNT}:cluster:payments-use2`,
    },
  },
  traffic: {
    hostedZoneId: 'Z0123456789ABC',
    recordName: 'api.payments.example.com',
    recordType: 'A',
    setIdentifiers: { [PRIMARY]: 'use1', [STANDBY]: 'use2' },
    healthCheckIds: { [PRIMARY]: 'hc-use1', [STANDBY]: 'hc-use2' },
  },
};

/**
 * Synthesize a stack holding only {@link FailoverWorkflow} and return its template. Bundling is
 * skipped (`aws:cdk:bundling-stacks: []`): the definition does not depend on the bundles, and
 * esbuilding nine functions per synth would slow every test file down.
 */
export function synthWorkflow(props: Partial<FailoverWorkflowProps> = {}): { template: TemplateJson; app: App; stack: Stack } {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'WorkflowTest', { env: { account: ACCOUNT, region: STANDBY } });
  new FailoverWorkflow(stack, 'Failover', { stateMachineName: 'payments-test-failover', config: testConfig(), resources: RESOURCES, ...props });
  return { template: Template.fromStack(stack).toJSON() as TemplateJson, app, stack };
}

/** A failover request as the controller builds it: us-east-1 failed one minute before it was decided. */
export function failoverRequest(overrides: Partial<FailoverRequest> = {}): FailoverRequest {
  const generation = overrides.generation ?? 3;
  return {
    app: 'payments',
    generation,
    executionName: executionNameFor('payments', generation, T0),
    from: PRIMARY,
    target: STANDBY,
    mode: 'auto',
    allowDataLoss: false,
    requestedBy: 'controller',
    reason: `${PRIMARY} down: 2 critical signals of 2 kinds in ALARM for 60 s`,
    requestedAt: T0,
    detectedAt: T0 - 60_000,
    ...overrides,
  };
}

/** The clock every step sees: 150 s after the request, so recovery measures 210 s from the first alarm. */
export const NOW = T0 + 150_000;

export interface WorldOptions {
  readonly policy?: Partial<Policy>;
  /** Replication lag of the standby's replica; `undefined`: unknown. @default 1 */
  readonly lagSeconds?: number | undefined;
  /** Health of the primary's endpoint. @default 'healthy' */
  readonly primaryHealth?: 'healthy' | 'unhealthy' | 'unknown';
  /** Polls a promotion stays in progress. @default 1 */
  readonly promotionPolls?: number;
}

/** Every port as an in-memory twin, the world as it is when the primary region starts failing. */
export interface World {
  readonly config: ControllerConfig;
  readonly database: InMemoryAuroraDatabase;
  readonly traffic: InMemoryTraffic;
  readonly configStore: InMemoryConfigStore;
  readonly stateStore: InMemoryStateStore;
  readonly publisher: InMemoryPublisher;
  /** The real step functions, wired to the twins, as the ASL harness runs them. */
  readonly steps: Record<FailoverStep, StepFn>;
}

/**
 * The controller's state while `request` runs, as the controller saved it when it started the
 * failover: phase 'failing-over', the request in flight (same generation, execution name and
 * times), the primary still active, and every signal of `alarmingRegion` in ALARM, the others OK.
 */
export function controllerState(config: ControllerConfig, alarmingRegion: string | undefined, request: FailoverRequest = failoverRequest()): ControllerState {
  const signals: Record<string, SignalRecord> = Object.fromEntries(
    config.signals.map((s) => [s.alarmName, { state: s.region === alarmingRegion ? 'ALARM' : 'OK', since: T0 - 60_000, lastAt: T0 - 60_000 }]),
  );
  const inFlight: InFlight = {
    generation: request.generation,
    executionName: request.executionName,
    from: request.from,
    target: request.target,
    mode: request.mode,
    allowDataLoss: request.allowDataLoss,
    requestedBy: request.requestedBy,
    reason: request.reason,
    startedAt: request.requestedAt,
    ...(request.detectedAt !== undefined ? { detectedAt: request.detectedAt } : {}),
    confirmedAt: request.requestedAt + 1_000,
  };
  return {
    app: config.app,
    active: request.from,
    phase: 'failing-over',
    generation: request.generation,
    autoFailovers: request.mode === 'auto' ? [request.requestedAt] : [],
    signals,
    recentRequests: [],
    inFlight,
  };
}

/** What the controller checks a stored state against: the configured regions and signals. */
export function stateExpectations(config: ControllerConfig): StateExpectations {
  return { regions: config.regions, signalNames: config.signals.map((s) => s.alarmName) };
}

export function createWorld(options: WorldOptions = {}): World {
  const config = testConfig(options.policy);
  const database = new InMemoryAuroraDatabase({ clusterArns: RESOURCES.database.clusterArns, writer: PRIMARY, promotionPolls: options.promotionPolls ?? 1 });
  database.setReplicationLag(STANDBY, 'lagSeconds' in options ? options.lagSeconds : 1);
  const traffic = new InMemoryTraffic({
    weights: { [PRIMARY]: 100, [STANDBY]: 0 },
    health: { [PRIMARY]: options.primaryHealth ?? 'healthy', [STANDBY]: 'healthy' },
  });
  const configStore = new InMemoryConfigStore({ parameterPrefix: RESOURCES.parameterPrefix });
  for (const region of config.regions) configStore.seed(region, { activeRegion: PRIMARY, fenced: false });
  const stateStore = new InMemoryStateStore({ now: () => NOW, expectations: stateExpectations(config) });
  stateStore.seed(config.app, controllerState(config, PRIMARY));
  const publisher = new InMemoryPublisher();
  // The same wiring the drill runs: the real step functions over the given ports.
  const steps = failoverSteps({ config, database, traffic, configStore, stateStore, publisher, now: () => NOW });
  return { config, database, traffic, configStore, stateStore, publisher, steps };
}
