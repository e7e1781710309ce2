import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { assertParameterPrefix, parameterName } from '../adapters/config-store/app-parameters.codec';
import { SsmConfigStore } from '../adapters/config-store/ssm-config-store.adapter';
import { DynamoDbStateStore } from '../adapters/state-store/dynamodb-state-store.adapter';
import type { Region } from '../domain/config';
import type { Decision, DecisionAction } from '../domain/decision';
import type { StoredState } from '../domain/ports/state-store.port';
import type { ControllerState, Phase } from '../domain/state';
import { AWS_REGION_PATTERN } from '../edge/aws-formats';
import { AWS_FLAG_OPTIONS, awsClientConfig, awsFailure, resolveAwsTarget, type AwsTarget } from './aws-options';
import { CliError, parseFlags } from './cli-error';

/** What one region's SSM parameters say, or why they could not be read. */
export interface SsmReading {
  readonly region: Region;
  readonly activeRegion?: Region;
  readonly fenced?: boolean;
  readonly error?: string;
}

/** One decision record as `drctl status` shows it. */
export interface DecisionLine {
  readonly time: string;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly eventId: string;
  readonly target?: Region;
  readonly generation?: number;
}

/** Everything `drctl status` reports; `--json` prints it as one object. Times are ISO-8601. */
export interface StatusReport {
  readonly app: string;
  readonly table: string;
  /** False when the controller has saved no state for the app yet. */
  readonly stored: boolean;
  readonly version?: number;
  readonly active?: Region;
  readonly phase?: Phase;
  readonly generation?: number;
  /** `expired`: the freeze's time has passed; the controller clears it on its next event. */
  readonly frozen?: { readonly until?: string; readonly expired: boolean; readonly operator: string; readonly reason: string };
  readonly cooldownUntil?: string;
  readonly cooldownEnded?: boolean;
  readonly inFlight?: {
    readonly generation: number;
    readonly executionName: string;
    readonly from: Region;
    readonly target: Region;
    readonly mode: 'auto' | 'manual';
    readonly requestedBy: string;
    readonly startedAt: string;
    readonly abortRequested: boolean;
    /** How long it has been in flight, in seconds. */
    readonly ageSeconds: number;
    /** When the controller first saw the run running; absent while it has not. */
    readonly confirmedAt?: string;
    /** StartExecution/StopExecution failures the controller has decided so far. */
    readonly actionFailures?: number;
    /** Why this failover looks stuck, and what to check; absent while it looks healthy. */
    readonly stuck?: string;
  };
  readonly halted?: { readonly generation: number; readonly executionName: string; readonly status: string; readonly reason: string; readonly at: string };
  readonly lastFailover?: { readonly generation: number; readonly from: Region; readonly target: Region; readonly completedAt: string; readonly recoverySeconds?: number };
  /** The workload's published `active-region` per region, and where it disagrees with the controller. */
  readonly ssm?: { readonly prefix: string; readonly regions: readonly SsmReading[]; readonly disagreements: readonly string[] };
  /** Newest first. */
  readonly decisions: readonly DecisionLine[];
}

/** What {@link statusReport} summarises. */
export interface StatusInput {
  readonly app: string;
  readonly table: string;
  readonly stored: StoredState | undefined;
  readonly decisions: readonly Decision[];
  readonly ssm?: { readonly prefix: string; readonly regions: readonly SsmReading[] };
  /** Epoch ms, to tell an expired freeze or an ended cooldown. */
  readonly now: number;
  /**
   * The failover workflow's whole-run timeout: a failover in flight for longer has ended in Step
   * Functions, whatever the controller believes.
   * @default DEFAULT_RUN_TIMEOUT_SECONDS
   */
  readonly runTimeoutSeconds?: number;
}

/** The failover state machine's default whole-run timeout (the workflow construct's `timeoutMinutes` default, 60). */
export const DEFAULT_RUN_TIMEOUT_SECONDS = 3_600;

/**
 * How long a started failover may go unconfirmed: the controller confirms the run as soon as
 * StartExecution answers, and every one-minute tick asks again, so two ticks without it mean
 * StartExecution keeps failing (or ticks have stopped).
 */
export const CONFIRMATION_GRACE_SECONDS = 120;

/**
 * Why the failover in flight looks stuck, or undefined: in flight longer than the run timeout (the
 * run has ended in Step Functions, so the controller has missed its end and is not reconciling),
 * or not confirmed running well after it was started.
 */
function stuckReason(flight: NonNullable<ControllerState['inFlight']>, now: number, runTimeoutSeconds: number): string | undefined {
  const ageSeconds = Math.floor((now - flight.startedAt) / 1000);
  if (ageSeconds > runTimeoutSeconds) {
    return `in flight for ${ageSeconds} s, longer than the run timeout (${runTimeoutSeconds} s): the run has ended but the controller has not seen it end; check that ticks reach the decide function and its ReconcileFailures metric`;
  }
  if (flight.confirmedAt === undefined && ageSeconds > CONFIRMATION_GRACE_SECONDS) {
    const failures = flight.actionFailures ?? 0;
    return `not confirmed running ${ageSeconds} s after it was started${failures > 0 ? ` (${failures} failed StartExecution/StopExecution attempt(s))` : ''}: check the decide function's logs for StartExecution errors and that ticks reach it`;
  }
  return undefined;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function decisionLine(d: Decision): DecisionLine {
  return {
    time: iso(d.at),
    action: d.action,
    reason: d.reason,
    eventId: d.eventId,
    ...(d.action === 'start-failover' || d.action === 'completed' ? { target: d.target } : {}),
    ...('generation' in d ? { generation: d.generation } : {}),
  };
}

/** Where the published active region differs from the controller's (a missing parameter counts). */
function disagreements(prefix: string, active: Region, regions: readonly SsmReading[], inFlight: { name: string; stuck: boolean } | undefined): string[] {
  const name = parameterName(prefix, 'activeRegion');
  const note = inFlight === undefined ? '' : inFlight.stuck ? ` (${inFlight.name} in flight but stuck: see above)` : ` (${inFlight.name} in flight: expected until it completes)`;
  return regions
    .filter((r) => r.error === undefined && r.activeRegion !== active)
    .map((r) => `${name} in ${r.region} ${r.activeRegion === undefined ? 'is not set' : `says ${r.activeRegion}`}, the controller's state says ${active}${note}`);
}

/** The status report: the controller's state, its published configuration and its last decisions, in one value. */
export function statusReport(input: StatusInput): StatusReport {
  const { app, table, stored, now } = input;
  const decisions = input.decisions.map(decisionLine);
  if (stored === undefined) {
    return { app, table, stored: false, decisions, ...(input.ssm ? { ssm: { ...input.ssm, disagreements: [] } } : {}) };
  }
  const s = stored.state;
  const stuck = s.inFlight && stuckReason(s.inFlight, now, input.runTimeoutSeconds ?? DEFAULT_RUN_TIMEOUT_SECONDS);
  const inFlightNote = s.inFlight ? { name: `failover g${s.inFlight.generation}`, stuck: stuck !== undefined } : undefined;
  return {
    app,
    table,
    stored: true,
    version: stored.version,
    active: s.active,
    phase: s.phase,
    generation: s.generation,
    ...(s.frozen && {
      frozen: {
        ...(s.frozen.until !== undefined ? { until: iso(s.frozen.until) } : {}),
        expired: s.frozen.until !== undefined && s.frozen.until <= now,
        operator: s.frozen.operator,
        reason: s.frozen.reason,
      },
    }),
    ...(s.cooldownUntil !== undefined && { cooldownUntil: iso(s.cooldownUntil), cooldownEnded: s.cooldownUntil < now }),
    ...(s.inFlight && {
      inFlight: {
        generation: s.inFlight.generation,
        executionName: s.inFlight.executionName,
        from: s.inFlight.from,
        target: s.inFlight.target,
        mode: s.inFlight.mode,
        requestedBy: s.inFlight.requestedBy,
        startedAt: iso(s.inFlight.startedAt),
        abortRequested: s.inFlight.abortRequested === true,
        ageSeconds: Math.max(0, Math.floor((now - s.inFlight.startedAt) / 1000)),
        ...(s.inFlight.confirmedAt !== undefined ? { confirmedAt: iso(s.inFlight.confirmedAt) } : {}),
        ...(s.inFlight.actionFailures !== undefined ? { actionFailures: s.inFlight.actionFailures } : {}),
        ...(stuck !== undefined ? { stuck } : {}),
      },
    }),
    ...(s.halted && { halted: { ...s.halted, at: iso(s.halted.at) } }),
    ...(s.lastFailover && { lastFailover: { ...s.lastFailover, completedAt: iso(s.lastFailover.completedAt) } }),
    ...(input.ssm && { ssm: { ...input.ssm, disagreements: disagreements(input.ssm.prefix, s.active, input.ssm.regions, inFlightNote) } }),
    decisions,
  };
}

/** The report as short human-readable lines. */
export function formatStatus(r: StatusReport): string[] {
  const lines: string[] = [];
  if (!r.stored) {
    lines.push(`${r.app}: no state stored in table ${r.table} yet; the controller has not decided anything for this app`);
  } else {
    const row = (label: string, value: string) => lines.push(`  ${`${label}:`.padEnd(16)}${value}`);
    lines.push(`${r.app}: active ${r.active}, phase ${r.phase}, generation ${r.generation} (state version ${r.version} in table ${r.table})`);
    const f = r.frozen;
    row('frozen', f ? `${f.until !== undefined ? `until ${f.until}` : 'until unfreeze'} by ${f.operator} (${f.reason})${f.expired ? ' — expired, cleared on the next event' : ''}` : 'no');
    row('cooldown until', r.cooldownUntil !== undefined ? `${r.cooldownUntil}${r.cooldownEnded ? ' (ended)' : ''}` : 'none');
    const i = r.inFlight;
    row(
      'in flight',
      i
        ? `g${i.generation} ${i.executionName}: ${i.from} → ${i.target} (${i.mode}, by ${i.requestedBy}, started ${i.startedAt}, ${i.confirmedAt !== undefined ? `running since ${i.confirmedAt}` : 'not confirmed running'})${i.abortRequested ? ', abort requested' : ''}`
        : 'none',
    );
    if (i?.stuck !== undefined) lines.push(`  ! stuck: failover g${i.generation} ${i.stuck}`);
    const h = r.halted;
    row('halted', h ? `after g${h.generation} ${h.executionName} ${h.status} at ${h.at}: ${h.reason}; 'drctl override acknowledge' resumes automatic action` : 'no');
    const l = r.lastFailover;
    if (l) row('last failover', `g${l.generation} ${l.from} → ${l.target} completed ${l.completedAt}${l.recoverySeconds !== undefined ? ` (recovery ${l.recoverySeconds} s)` : ''}`);
  }
  if (r.ssm) {
    const shown = r.ssm.regions.map((x) => `${x.region}=${x.error !== undefined ? `unreadable (${x.error})` : (x.activeRegion ?? 'not set')}${x.fenced ? ' (fenced)' : ''}`);
    lines.push(`  ${'ssm active:'.padEnd(16)}${shown.join(', ')}`);
    for (const d of r.ssm.disagreements) lines.push(`  ! disagreement: ${d}`);
  }
  if (r.decisions.length === 0) {
    lines.push('no decisions recorded');
  } else {
    lines.push(`last ${r.decisions.length} decision(s), newest first:`);
    for (const d of r.decisions) {
      const what = d.target !== undefined ? `${d.action} → ${d.target}${d.generation !== undefined ? ` g${d.generation}` : ''}` : d.action;
      lines.push(`  ${d.time}  ${what.padEnd(22)} ${d.reason}`);
    }
  }
  return lines;
}

export const STATUS_USAGE =
  'usage: drctl status --app <name> --table <state table> [--region <region>] [--endpoint-url <url>] ' +
  '[--parameter-prefix </app/env> --regions <r1,r2>] [--run-timeout-seconds <n>] [--limit <n>] [--json]';

/**
 * The IAM actions `drctl status` calls: DynamoDB GetItem (the state item) and Query (the decision
 * records) on the state table, and with `--parameter-prefix`, SSM GetParameters (one call per
 * region for both parameters) on the app's parameters. The operator role must grant exactly these.
 *
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
 */
export const STATUS_IAM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'ssm:GetParameters'] as const;

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 1000;

/** What `runStatus` reads from its surroundings; tests pass their own. */
export interface StatusDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly write: (line: string) => void;
  readonly now: () => number;
}

const defaultDeps: StatusDeps = { env: process.env, write: (line) => process.stdout.write(`${line}\n`), now: Date.now };

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new CliError(`--limit '${value}' is not a whole number from 1 to ${MAX_LIMIT}; e.g. --limit 20`);
  return limit;
}

function parseRunTimeout(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RUN_TIMEOUT_SECONDS;
  const seconds = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= 1)) throw new CliError(`--run-timeout-seconds '${value}' is not a whole number of seconds ≥ 1; give the failover workflow's timeout, e.g. --run-timeout-seconds 3600`);
  return seconds;
}

function parseSsmFlags(prefix: string | undefined, regions: string | undefined): { prefix: string; regions: Region[] } | undefined {
  if (prefix === undefined && regions === undefined) return undefined;
  if (prefix === undefined) throw new CliError(`--regions needs --parameter-prefix (the path the app's parameters live under, e.g. /payments/dev); ${STATUS_USAGE}`);
  if (regions === undefined) throw new CliError(`--parameter-prefix needs --regions (the regions to read it in, e.g. us-east-1,us-east-2); ${STATUS_USAGE}`);
  try {
    assertParameterPrefix(prefix);
  } catch (error) {
    throw new CliError(`--parameter-prefix: ${(error as Error).message}`);
  }
  const list = regions.split(',').map((r) => r.trim());
  const bad = list.find((r) => !AWS_REGION_PATTERN.test(r));
  if (bad !== undefined) throw new CliError(`--regions: '${bad}' is not a region code; give a comma-separated list such as us-east-1,us-east-2`);
  return { prefix, regions: [...new Set(list)] };
}

function stateStoreFailure(error: unknown, table: string, target: AwsTarget): CliError {
  const notFound = (e: unknown): boolean => typeof e === 'object' && e !== null && ((e as { name?: unknown }).name === 'ResourceNotFoundException' || notFound((e as { cause?: unknown }).cause));
  if (notFound(error)) return new CliError(`table ${table} not found in ${target.region}${target.endpointUrl ? ` at ${target.endpointUrl}` : ''}; check --table and --region`, 1);
  return awsFailure(error, 'DynamoDB', target, `reading table ${table}`);
}

/**
 * `drctl status --app … --table … [flags]`: the controller's state and last decisions from its
 * DynamoDB table, and with `--parameter-prefix`/`--regions` the workload's published active region
 * in each region from SSM, flagging where it disagrees with the controller. SSM is read per region
 * and a region that cannot be read is reported, not fatal: during an outage one region may be down.
 */
export async function runStatus(args: readonly string[], deps: Partial<StatusDeps> = {}): Promise<void> {
  const { env, write, now } = { ...defaultDeps, ...deps };
  const values = parseFlags(
    args,
    {
      app: { type: 'string' },
      table: { type: 'string' },
      ...AWS_FLAG_OPTIONS,
      'parameter-prefix': { type: 'string' },
      regions: { type: 'string' },
      limit: { type: 'string' },
      'run-timeout-seconds': { type: 'string' },
      json: { type: 'boolean' },
    },
    STATUS_USAGE,
  );
  const { app, table } = values;
  if (!app) throw new CliError(`--app is required (the protected application's name); ${STATUS_USAGE}`);
  if (!table) throw new CliError(`--table is required (the controller's state table); ${STATUS_USAGE}`);
  const limit = parseLimit(values.limit);
  const runTimeoutSeconds = parseRunTimeout(values['run-timeout-seconds']);
  const ssmFlags = parseSsmFlags(values['parameter-prefix'], values.regions);
  const target = resolveAwsTarget(values, env, STATUS_USAGE);

  const ddb = new DynamoDBClient(awsClientConfig(target, env));
  const ssmClients: SSMClient[] = [];
  try {
    const store = new DynamoDbStateStore({ client: DynamoDBDocumentClient.from(ddb), tableName: table });
    const config =
      ssmFlags &&
      new SsmConfigStore({
        parameterPrefix: ssmFlags.prefix,
        clientFor: (region) => {
          const client = new SSMClient(awsClientConfig(target, env, region));
          ssmClients.push(client);
          return client;
        },
      });
    const readSsm = (ssm: SsmConfigStore, region: Region): Promise<SsmReading> =>
      ssm.read(region).then(
        (params) => ({ region, ...params }),
        (error: unknown) => ({ region, error: awsFailure(error, 'SSM', { ...target, region }, `reading SSM in ${region}`).message }),
      );
    const [stored, decisions, ssmReadings] = await Promise.all([
      store.load(app),
      store.recentDecisions(app, limit),
      ssmFlags && config ? Promise.all(ssmFlags.regions.map((region) => readSsm(config, region))) : Promise.resolve(undefined),
    ]).catch((error: unknown) => {
      throw stateStoreFailure(error, table, target);
    });
    const report = statusReport({ app, table, stored, decisions, now: now(), runTimeoutSeconds, ...(ssmFlags && ssmReadings ? { ssm: { prefix: ssmFlags.prefix, regions: ssmReadings } } : {}) });
    if (values.json) write(JSON.stringify(report));
    else for (const line of formatStatus(report)) write(line);
  } finally {
    ddb.destroy();
    for (const client of ssmClients) client.destroy();
  }
}
