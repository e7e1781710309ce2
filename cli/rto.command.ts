import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import type { ControllerConfig } from '../domain/config';
import { PARAMETER_MAX_AGE_MS } from '../handlers/payments/region-gate';
import type { FailoverWorkflow } from '../infra/controller/failover-workflow.construct';
import { policyInputs, rtoBudget, rtoViolation, type ProbeDetectionInputs, type RtoBudget, type RtoInputs } from '../infra/controller/rto-model';
import { addProtectedPayments, protectedPaymentsConfig } from '../infra/protected-payments';
import { CliError } from './cli-error';

export const RTO_USAGE = 'rto [--json] [--env <name>]';

/** The default RTO target when the controller names none: the seed's "failover within 5 minutes". */
export const DEFAULT_RTO_TARGET_SECONDS = 300;

/**
 * What a weighted alias record's answer is cached for when the template states no TTL: Route 53
 * answers an alias with the TTL of the AWS resource it points to (assumed 60 s for an API Gateway
 * regional endpoint).
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html
 */
export const ALIAS_TTL_SECONDS = 60;

/**
 * The reference prober's per-probe cadence when the prober's alarm is found but its timings are
 * not readable from the template (they are Lambda code settings): probe every 10 s, 3 s timeout.
 */
export const REFERENCE_PROBE = { intervalSeconds: 10, timeoutSeconds: 3 } as const;

/** A synthesized controller the RTO is computed for. */
export interface RtoSubject {
  /** The failover workflow construct: its rendered tunables. */
  readonly workflow: FailoverWorkflow;
  readonly config: ControllerConfig;
  /** Every synthesized template of the app: health checks, records and probe alarms are read from them. */
  readonly templates: readonly CfnTemplate[];
  /** The controller's own computed budget (`DrController.rto`), when it has one: preferred. */
  readonly rto?: RtoBudget;
  /** `DrController.rtoTargetSeconds`. @default DEFAULT_RTO_TARGET_SECONDS */
  readonly targetSeconds?: number;
  /** Seconds the workload caches its parameters. @default 0 */
  readonly workloadConfigCacheSeconds?: number;
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized CloudFormation template (the part read here). */
export interface CfnTemplate {
  readonly Resources?: Readonly<Record<string, CfnResource>>;
}

function resourcesOf(templates: readonly CfnTemplate[], type: string): CfnResource[] {
  return templates.flatMap((template) => Object.values(template.Resources ?? {}).filter((r) => r.Type === type));
}

/** Every stack template of `app`, synthesized (nested assemblies included). */
export function templatesOf(app: App): CfnTemplate[] {
  return app.synth().stacksRecursively.map((stack) => stack.template as CfnTemplate);
}

/**
 * The model's inputs, read from the synthesized stacks: the workflow's poll interval (its construct),
 * the policy (sustain, heartbeat window when heartbeat signals exist), the records' health checks
 * (the slowest: largest interval × threshold) and TTL, the probe alarm when the controller has one.
 */
export function rtoInputsOf(subject: RtoSubject): RtoInputs {
  const { config, templates } = subject;
  const healthChecks = resourcesOf(templates, 'AWS::Route53::HealthCheck').map((r) => r.Properties?.HealthCheckConfig as { RequestInterval?: number; FailureThreshold?: number } | undefined);
  if (healthChecks.length === 0) throw new CliError('the app has no Route 53 health checks: traffic cannot move without its control plane, so no RTO can be promised', 1);
  const slowest = healthChecks
    .map((c) => ({ interval: c?.RequestInterval ?? 30, threshold: c?.FailureThreshold ?? 3 }))
    .reduce((a, b) => (b.interval * b.threshold > a.interval * a.threshold ? b : a));
  const records = resourcesOf(templates, 'AWS::Route53::RecordSet').filter((r) => r.Properties?.Weight !== undefined);
  const ttls = records.map((r) => (r.Properties?.TTL !== undefined ? Number(r.Properties.TTL) : ALIAS_TTL_SECONDS));
  const aliasOnly = records.length > 0 && records.every((r) => r.Properties?.TTL === undefined);
  const probeAlarm = resourcesOf(templates, 'AWS::CloudWatch::Alarm').find((r) => r.Properties?.MetricName === 'ProbeSuccess');
  const probe: ProbeDetectionInputs | undefined = probeAlarm
    ? { ...REFERENCE_PROBE, periodSeconds: Number(probeAlarm.Properties?.Period ?? 60), evaluationPeriods: Number(probeAlarm.Properties?.EvaluationPeriods ?? 1) }
    : undefined;
  return {
    targetSeconds: subject.targetSeconds ?? DEFAULT_RTO_TARGET_SECONDS,
    ...(probe && { probe }),
    ...policyInputs(config),
    pollIntervalSeconds: subject.workflow.tunables.pollIntervalSeconds,
    workloadConfigCacheSeconds: subject.workloadConfigCacheSeconds ?? 0,
    healthCheckIntervalSeconds: slowest.interval,
    healthCheckFailureThreshold: slowest.threshold,
    dnsTtlSeconds: ttls.length > 0 ? Math.max(...ttls) : ALIAS_TTL_SECONDS,
    sources: {
      probe: `probe alarm ${String(probeAlarm?.Properties?.AlarmName ?? '')} (Period, EvaluationPeriods) and the reference prober (every ${REFERENCE_PROBE.intervalSeconds} s, ${REFERENCE_PROBE.timeoutSeconds} s timeout)`,
      healthCheck: 'AWS::Route53::HealthCheck RequestInterval × FailureThreshold (the slowest of the records\' health checks)',
      dnsTtlSeconds: aliasOnly
        ? `weighted alias records: the alias target's TTL (assumed ${ALIAS_TTL_SECONDS} s)`
        : 'AWS::Route53::RecordSet TTL (the longest of the weighted records)',
      ...(subject.targetSeconds === undefined && { targetSeconds: `default ${DEFAULT_RTO_TARGET_SECONDS} s` }),
    },
  };
}

/** The budget of `subject`: the controller's own when it computed one, else the model over the synthesized stacks. */
export function rtoOf(subject: RtoSubject): RtoBudget {
  if (subject.rto) return subject.rto;
  try {
    return rtoBudget(rtoInputsOf(subject));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message.replace(/^rto model: /, ''), 1);
  }
}

/** The reference app (`infra/app.ts`) in `envName`, built in-process (bundling skipped: the RTO does not depend on the bundles). */
export function referenceRtoSubject(envName = 'dev'): RtoSubject {
  const app = new App({ builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const { controller } = addProtectedPayments(app, envName);
  const drController = controller.controller.controller as typeof controller.controller.controller & { rto?: RtoBudget; rtoTargetSeconds?: number };
  return {
    workflow: drController.workflow,
    config: protectedPaymentsConfig(envName),
    templates: templatesOf(app),
    ...(drController.rto !== undefined && { rto: drController.rto }),
    ...(drController.rtoTargetSeconds !== undefined && { targetSeconds: drController.rtoTargetSeconds }),
    workloadConfigCacheSeconds: PARAMETER_MAX_AGE_MS / 1000,
  };
}

/** The budget as a table: one line per part, then the total against the target. */
export function formatRto(budget: RtoBudget): string {
  const width = Math.max(...budget.parts.map((p) => p.name.length), 'worst case'.length);
  const line = (name: string, seconds: number, source: string) => `${name.padEnd(width)}  ${String(seconds).padStart(6)} s  ${source}`;
  return [
    ...budget.parts.map((p) => line(p.name, p.seconds, p.source)),
    '-'.repeat(width + 10),
    line('worst case', budget.worstCaseSeconds, `target ${budget.targetSeconds} s: ${budget.worstCaseSeconds <= budget.targetSeconds ? 'within' : 'OVER'}`),
  ].join('\n');
}

export interface RtoIo {
  readonly build: (envName: string) => RtoSubject;
  readonly out: (text: string) => void;
}

/**
 * `drctl rto [--json] [--env <name>]`: the worst-case RTO of the synthesized reference app along
 * the blackout path, part by part with sources. Exits 1 with a one-line message naming the largest
 * part when the worst case exceeds the target.
 */
export function runRto(argv: readonly string[], io: RtoIo = { build: referenceRtoSubject, out: (text) => process.stdout.write(`${text}\n`) }): number {
  let values: { json?: boolean; env?: string };
  try {
    ({ values } = parseArgs({ args: [...argv], options: { json: { type: 'boolean' }, env: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}; usage: drctl ${RTO_USAGE}`);
  }
  const budget = rtoOf(io.build(values.env ?? 'dev'));
  io.out(values.json ? JSON.stringify({ worstCaseSeconds: budget.worstCaseSeconds, targetSeconds: budget.targetSeconds, parts: budget.parts }) : formatRto(budget));
  const violation = rtoViolation(budget);
  if (violation) throw new CliError(violation, 1);
  return 0;
}
