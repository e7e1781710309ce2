import { readFileSync } from 'node:fs';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsReadinessWorld } from '../adapters/readiness/aws-readiness-world.adapter';
import { readinessClients } from '../adapters/readiness/readiness-clients';
import { IamPermissionSimulator } from '../adapters/readiness/iam-permission-simulator.adapter';
import type { PermissionSimulator } from '../adapters/readiness/permission-simulator';
import { DynamoDbStateStore } from '../adapters/state-store/dynamodb-state-store.adapter';
import type { ControllerConfig, Region } from '../domain/config';
import { evaluateReadiness, type ReadinessReport } from '../domain/readiness';
import { parseConfig } from '../edge/config.schema';
import { parseResources, type Resources } from '../edge/resources.schema';
import { parseReadinessTargets, readinessExpectations, readinessWorldOptions, type ReadinessTargets } from '../handlers/readiness/readiness-setup';
import { AWS_FLAG_OPTIONS, awsClientConfig, awsFailure, resolveAwsTarget, type AwsTarget } from './aws-options';
import { CliError, parseFlags } from './cli-error';

export const READINESS_USAGE =
  'usage: drctl readiness (--app <name> --env <envName> | --function <readiness function> | --settings <file.json>) [--region <region>] [--endpoint-url <url>] [--json]';

/**
 * The IAM actions `drctl readiness` calls with the caller's credentials: the readiness function's
 * configuration (unless `--settings`), then everything the scheduled evaluation reads.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_GetFunctionConfiguration.html
 */
export const READINESS_IAM_ACTIONS = [
  'lambda:GetFunctionConfiguration',
  'dynamodb:GetItem',
  'dynamodb:DescribeTable',
  'rds:DescribeGlobalClusters',
  'rds:DescribeDBClusters',
  'cloudwatch:GetMetricData',
  'cloudwatch:DescribeAlarms',
  'route53:ListResourceRecordSets',
  'route53:GetHealthCheck',
  'ssm:GetParameters',
  'states:DescribeStateMachine',
  'iam:SimulatePrincipalPolicy',
  'sqs:GetQueueAttributes',
] as const;

/** What the evaluation runs with: the deployed function's own settings. */
export interface ReadinessSettings {
  readonly config: ControllerConfig;
  readonly resources: Resources;
  readonly targets: ReadinessTargets;
}

/** Validate the three settings (as the function's environment variables hold them). */
export function parseReadinessSettings(env: { DR_CONFIG?: string; DR_RESOURCES?: string; DR_READINESS?: string }, from: string): ReadinessSettings {
  let configJson: unknown;
  try {
    configJson = JSON.parse(env.DR_CONFIG ?? 'null');
  } catch (error) {
    throw new CliError(`${from}: DR_CONFIG is not valid JSON (${(error as Error).message})`, 1);
  }
  const config = parseConfig(configJson);
  if (!config.ok) throw new CliError(`${from}: DR_CONFIG: ${config.errors.join('; ')}`, 1);
  const resources = parseResources(env.DR_RESOURCES ?? 'null');
  if (!resources.ok) throw new CliError(`${from}: ${resources.errors.join('; ')}`, 1);
  try {
    return { config: config.config, resources: resources.resources, targets: parseReadinessTargets(env.DR_READINESS) };
  } catch (error) {
    throw new CliError(`${from}: ${(error as Error).message}`, 1);
  }
}

/** The report as lines: a verdict per target, then each check with its detail. */
export function formatReadiness(report: ReadinessReport): string[] {
  const lines = [`readiness at ${new Date(report.evaluatedAt).toISOString()}, ${report.active} serving:`];
  if (report.targets.length === 0) lines.push('  no failover target: only one region is configured');
  for (const t of report.targets) {
    lines.push(`${t.target}: ${t.ready ? 'READY' : `NOT READY (${t.failing.join(', ')})`}`);
    for (const c of t.checks) lines.push(`  ${c.passed ? '✔' : '✘'} ${c.check.padEnd(22)} ${c.detail}`);
  }
  return lines;
}

/** What `runReadiness` reads from its surroundings; tests pass their own. */
export interface ReadinessCliDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly write: (line: string) => void;
  readonly now: () => number;
  /**
   * IAM's policy simulator; tests on moto (which has none) pass the twin.
   * @default - IAM SimulatePrincipalPolicy with the caller's credentials
   */
  readonly permissions?: (target: AwsTarget, env: NodeJS.ProcessEnv) => PermissionSimulator;
}

const defaultDeps: ReadinessCliDeps = { env: process.env, write: (line) => process.stdout.write(`${line}\n`), now: Date.now };

async function settingsOf(values: { app?: string; env?: string; function?: string; settings?: string }, target: AwsTarget, env: NodeJS.ProcessEnv): Promise<ReadinessSettings> {
  if (values.settings !== undefined) {
    let raw: { DR_CONFIG?: unknown; DR_RESOURCES?: unknown; DR_READINESS?: unknown };
    try {
      raw = JSON.parse(readFileSync(values.settings, 'utf8')) as typeof raw;
    } catch (error) {
      throw new CliError(`--settings ${values.settings}: ${(error as Error).message}; give a JSON file {"DR_CONFIG": {…}, "DR_RESOURCES": {…}, "DR_READINESS": {…}}`);
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
    return parseReadinessSettings({ DR_CONFIG: text(raw.DR_CONFIG), DR_RESOURCES: text(raw.DR_RESOURCES), DR_READINESS: text(raw.DR_READINESS) }, `--settings ${values.settings}`);
  }
  const functionName = values.function ?? (values.app && values.env ? `${values.app}-${values.env}-readiness` : undefined);
  if (functionName === undefined) throw new CliError(`say which controller: --app and --env, --function or --settings; ${READINESS_USAGE}`);
  const lambda = new LambdaClient(awsClientConfig(target, env));
  try {
    const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName })).catch((error: unknown) => {
      throw awsFailure(error, 'Lambda', target, `reading the configuration of ${functionName}`);
    });
    return parseReadinessSettings(out.Environment?.Variables ?? {}, `function ${functionName}`);
  } finally {
    lambda.destroy();
  }
}

/**
 * `drctl readiness`: the scheduled readiness evaluation, run from a laptop with the caller's
 * credentials, on the deployed readiness function's own settings (its environment, read with
 * GetFunctionConfiguration) or a settings file. Prints each target's verdict and every check;
 * exits 1 when a target is not ready.
 */
export async function runReadinessCommand(args: readonly string[], deps: Partial<ReadinessCliDeps> = {}): Promise<number> {
  const { env, write, now, permissions } = { ...defaultDeps, ...deps };
  const values = parseFlags(
    args,
    {
      app: { type: 'string' },
      env: { type: 'string' },
      function: { type: 'string' },
      settings: { type: 'string' },
      ...AWS_FLAG_OPTIONS,
      json: { type: 'boolean' },
    },
    READINESS_USAGE,
  );
  const target = resolveAwsTarget(values, env, READINESS_USAGE);
  const { config, resources, targets } = await settingsOf(values, target, env);

  const built: { destroy(): void }[] = [];
  const make = <T extends { destroy(): void }>(client: T): T => {
    built.push(client);
    return client;
  };
  const home = resources.controllerRegion;
  const cfg = (region: Region) => awsClientConfig(target, env, region);
  try {
    const clients = readinessClients(cfg, home, make);
    const simulator = permissions ? permissions(target, env) : new IamPermissionSimulator(make(new IAMClient(cfg('us-east-1'))));
    const world = new AwsReadinessWorld(readinessWorldOptions(config, resources, targets, clients, simulator, now));
    const store = new DynamoDbStateStore({ client: DynamoDBDocumentClient.from(clients.dynamodb), tableName: resources.stateTableName });
    const stored = await store.load(config.app).catch((error: unknown) => {
      throw awsFailure(error, 'DynamoDB', { ...target, region: home }, `reading the controller state from ${resources.stateTableName}`);
    });
    const active = stored?.state.active ?? config.initialActive;
    const report = evaluateReadiness(await world.observe(), readinessExpectations(config, resources, active));
    if (values.json) write(JSON.stringify(report));
    else for (const line of formatReadiness(report)) write(line);
    return report.targets.every((t) => t.ready) ? 0 : 1;
  } finally {
    for (const client of built) client.destroy();
  }
}
