import * as z from 'zod';
import type { AwsReadinessWorldOptions, ReadinessClients } from '../../adapters/readiness/aws-readiness-world.adapter';
import type { PermissionSimulator } from '../../adapters/readiness/permission-simulator';
import type { ControllerConfig, Region } from '../../domain/config';
import type { Notice } from '../../domain/ports/publisher.port';
import { DEFAULT_MAX_PROBE_AGE_SECONDS, failbackRefusal, readinessSummaries, type ReadinessExpectations, type ReadinessReport } from '../../domain/readiness';
import type { Resources } from '../../edge/resources.schema';
import { FAILOVER_STEPS } from '../steps/step-registry';
import { arnAccount, stepPermissions } from './step-permissions';

/** The metric the readiness alarms watch: 1 when a target failed a check, 0 when it passed all. */
export const READINESS_METRIC = { name: 'ReadinessFailed', targetDimension: 'Target' } as const;

/**
 * What readiness needs beside `DR_CONFIG` and `DR_RESOURCES` (`DR_READINESS`, written by the
 * readiness construct): each step's function name, the controller queue and its dead-letter queue.
 */
export const readinessTargetsSchema = z.strictObject({
  stepFunctions: z.record(z.enum(FAILOVER_STEPS as [string, ...string[]]), z.string().min(1)),
  queueUrl: z.string().regex(/^https?:\/\/\S+$/),
  deadLetterQueueUrl: z.string().regex(/^https?:\/\/\S+$/),
});

export type ReadinessTargets = z.infer<typeof readinessTargetsSchema>;

/** Validate `DR_READINESS`; every problem named, with the fix. */
export function parseReadinessTargets(json: string | undefined): ReadinessTargets {
  if (json === undefined) throw new Error('DR_READINESS: not set; set it to {"stepFunctions":{…},"queueUrl":"…","deadLetterQueueUrl":"…"} (the readiness construct writes it)');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`DR_READINESS: not valid JSON (${(error as Error).message})`);
  }
  const parsed = readinessTargetsSchema.safeParse(value);
  if (!parsed.success) throw new Error(`DR_READINESS: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  const missing = FAILOVER_STEPS.filter((step) => !parsed.data.stepFunctions[step]);
  if (missing.length > 0) throw new Error(`DR_READINESS.stepFunctions: no function for ${missing.join(', ')}; map every failover step to its function name`);
  return parsed.data;
}

/** The regions with a `probe` signal and each one's probe alarm name. */
export function probeAlarms(config: ControllerConfig): Record<Region, string> {
  return Object.fromEntries(config.signals.filter((s) => s.kind === 'probe').map((s) => [s.region, s.alarmName]));
}

/** What the evaluation holds the world to, from the configuration and the active region. */
export function readinessExpectations(config: ControllerConfig, resources: Resources, active: Region): ReadinessExpectations {
  return {
    regions: config.regions,
    active,
    rpoBudgetSeconds: config.policy.rpoBudgetSeconds,
    healthCheckIds: resources.traffic.healthCheckIds,
    probedRegions: Object.keys(probeAlarms(config)),
    maxProbeAgeSeconds: DEFAULT_MAX_PROBE_AGE_SECONDS,
    steps: FAILOVER_STEPS,
  };
}

/** The AWS readiness world's options for this deployment. */
export function readinessWorldOptions(
  config: ControllerConfig,
  resources: Resources,
  targets: ReadinessTargets,
  clients: ReadinessClients,
  permissions: PermissionSimulator,
  now: () => number = Date.now,
): AwsReadinessWorldOptions {
  if (!resources.stateMachineArn) throw new Error('DR_RESOURCES.stateMachineArn: not set; readiness checks the failover state machine, give its ARN');
  const { partition, account } = arnAccount(resources.stateMachineArn);
  return {
    clients,
    permissions,
    regions: config.regions,
    controllerRegion: resources.controllerRegion,
    database: resources.database,
    traffic: resources.traffic,
    parameterPrefix: resources.parameterPrefix,
    probeAlarms: probeAlarms(config),
    stateMachineArn: resources.stateMachineArn,
    stepFunctions: targets.stepFunctions,
    requiredPermissions: stepPermissions(config, resources, partition, account),
    queueUrl: targets.queueUrl,
    deadLetterQueueUrl: targets.deadLetterQueueUrl,
    tableName: resources.stateTableName,
    now,
  };
}

/**
 * Whether this report makes a failback possible: the home region is a target (it is not active)
 * and its result passes every failback check (domain/readiness.ts `FAILBACK_CHECKS`); undefined
 * while the home region is active.
 */
export function failbackPossible(report: ReadinessReport, home: Region): boolean | undefined {
  const summary = readinessSummaries(report).find((s) => s.target === home);
  return summary === undefined ? undefined : failbackRefusal(home, summary, report.evaluatedAt, Number.POSITIVE_INFINITY) === undefined;
}

/**
 * One `DR Readiness` notice per target, with every check's result; the home region's (`home`,
 * the configured `initialActive`, a target only while another region serves) also says whether a
 * failback is possible (`failbackPossible`).
 */
export function readinessNotices(app: string, report: ReadinessReport, home?: Region): Notice[] {
  const possible = home === undefined ? undefined : failbackPossible(report, home);
  return report.targets.map((t) => ({
    detailType: 'DR Readiness',
    detail: {
      app,
      target: t.target,
      active: report.active,
      ready: t.ready,
      failing: t.failing,
      evaluatedAt: new Date(report.evaluatedAt).toISOString(),
      checks: t.checks,
      ...(t.target === home && possible !== undefined ? { failbackPossible: possible } : {}),
    },
  }));
}
