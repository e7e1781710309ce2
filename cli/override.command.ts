import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Override } from '../domain/events';
import { parseAwsTimestamp } from '../edge/aws-formats';
import { OVERRIDE_DETAIL_TYPE, OVERRIDE_SOURCE, overrideDetailSchema, parseEvent, type OverrideDetail } from '../edge/event.parser';
import { formatIssues } from '../edge/issues';
import { awsClientConfig, awsFailure, resolveAwsTarget } from './aws-options';
import { CliError } from './cli-error';

/** Source and detail-type of an operator override: what the controller's rule matches. */

/** What an operator asks for, before validation (flags as given). */
export interface OverrideRequest {
  readonly action: string;
  readonly reason?: string;
  readonly operator: string;
  readonly requestId: string;
  readonly target?: string;
  readonly allowDataLoss?: boolean;
  readonly force?: boolean;
  readonly until?: string;
}

/** A validated override: the PutEvents entry to send and the override the controller will read from it. */
export interface OverrideEvent {
  readonly entry: PutEventsRequestEntry;
  readonly override: Override;
}

/** Detail fields by the flag that sets them, so an error names what the operator typed. */
const FLAG_OF: Readonly<Record<string, string>> = {
  'detail.action': 'action',
  'detail.reason': '--reason',
  'detail.operator': '--operator',
  'detail.requestId': '--request-id',
  'detail.target': '--target',
  'detail.allowDataLoss': '--allow-data-loss',
  'detail.force': '--force',
  'detail.until': '--until',
};

/**
 * Build and validate an override for bus `busName` at `now` (epoch ms). The detail is checked with
 * `overrideDetailSchema`, the schema the controller parses with, and then the whole event, as
 * EventBridge will deliver it, goes through the controller's own `parseEvent`: what drctl sends is
 * what the controller accepts. Invalid input is a one-line CliError naming the flag and the fix.
 *
 * The entry carries no `Time`: EventBridge stamps the event with the time of the PutEvents call,
 * and that time is the override's decision clock.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
 */
export function overrideEvent(request: OverrideRequest, busName: string, now: number): OverrideEvent {
  const candidate: Record<string, unknown> = {
    action: request.action,
    reason: request.reason,
    operator: request.operator,
    requestId: request.requestId,
    ...(request.target !== undefined ? { target: request.target } : {}),
    ...(request.allowDataLoss ? { allowDataLoss: true } : {}),
    ...(request.force ? { force: true } : {}),
    ...(request.until !== undefined ? { until: request.until } : {}),
  };
  const checked = overrideDetailSchema.safeParse(candidate);
  if (!checked.success) {
    const problems = formatIssues(checked.error.issues, 'detail').map(({ field, message }) => `${FLAG_OF[`detail.${field}`] ?? field}: ${message}`);
    throw new CliError(`invalid override: ${problems.join('; ')}`);
  }
  const detail: OverrideDetail = checked.data;
  const untilMs = parseAwsTimestamp(detail.until);
  if (untilMs !== undefined && untilMs <= now) {
    throw new CliError(`--until ${detail.until} is not in the future (now ${new Date(now).toISOString()}); give a later time or omit it to freeze until unfreeze`);
  }
  const parsed = parseEvent({
    version: '0',
    id: detail.requestId,
    'detail-type': OVERRIDE_DETAIL_TYPE,
    source: OVERRIDE_SOURCE,
    time: new Date(now).toISOString(),
    resources: [],
    detail,
  });
  if (!parsed.ok || parsed.event.type !== 'override') {
    throw new CliError(`the controller would reject this override: ${parsed.ok ? `it reads it as ${parsed.event.type}` : parsed.reason}`);
  }
  return {
    entry: { EventBusName: busName, Source: OVERRIDE_SOURCE, DetailType: OVERRIDE_DETAIL_TYPE, Detail: JSON.stringify(detail) },
    override: parsed.event,
  };
}

/**
 * Send one override entry with PutEvents. A failed entry (`FailedEntryCount` > 0, with `ErrorCode`
 * and `ErrorMessage`) or a failed call is a one-line CliError with exit code 1. The controller
 * applies a request id once, so retrying with the same `--request-id` is safe.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html
 */
export async function publishOverride(client: EventBridgeClient, event: OverrideEvent, describe: (error: unknown) => CliError): Promise<string> {
  const retry = `nothing was applied; retry with --request-id ${event.override.requestId} (the controller applies a request id once)`;
  let out;
  try {
    out = await client.send(new PutEventsCommand({ Entries: [event.entry] }));
  } catch (error) {
    throw describe(error);
  }
  const [result] = out.Entries ?? [];
  if ((out.FailedEntryCount ?? 0) > 0 || result?.EventId === undefined) {
    const why = result?.ErrorCode !== undefined ? `${result.ErrorCode}: ${result.ErrorMessage ?? 'no message'}` : 'no event id returned';
    throw new CliError(`PutEvents to bus ${event.entry.EventBusName} rejected the override (${why}); ${retry}`, 1);
  }
  return result.EventId;
}

export const OVERRIDE_USAGE =
  'usage: drctl override <failover|failback|freeze|unfreeze|abort|acknowledge> --reason <text> [--target <region>] [--allow-data-loss] [--force] ' +
  '[--until <ISO-8601>] [--operator <name>] [--request-id <id>] [--bus <name>] [--region <region>] [--endpoint-url <url>] [--dry-run]';

export const FAILBACK_USAGE =
  'usage: drctl failback --reason <text> [--operator <name>] [--request-id <id>] [--bus <name>] [--region <region>] [--endpoint-url <url>] [--dry-run]';

/** What `runOverride` reads from its surroundings; tests pass their own. */
export interface OverrideDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly write: (line: string) => void;
  readonly now: () => number;
}

const defaultDeps: OverrideDeps = { env: process.env, write: (line) => process.stdout.write(`${line}\n`), now: Date.now };

/**
 * `drctl override <action> --reason … [flags]`: validate, then publish one `dr.operator` /
 * `DR Override` event to the controller bus (`--bus`, else `DRCTL_BUS`). `--dry-run` prints the
 * PutEvents entries (the JSON `aws events put-events --entries file://…` takes) and sends nothing.
 */
export async function runOverride(args: readonly string[], deps: Partial<OverrideDeps> = {}): Promise<void> {
  const { env, write, now } = { ...defaultDeps, ...deps };
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        target: { type: 'string' },
        reason: { type: 'string' },
        operator: { type: 'string' },
        'allow-data-loss': { type: 'boolean' },
        force: { type: 'boolean' },
        until: { type: 'string' },
        'request-id': { type: 'string' },
        region: { type: 'string' },
        bus: { type: 'string' },
        'endpoint-url': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}; ${OVERRIDE_USAGE}`);
  }
  if (positionals.length !== 1) throw new CliError(`give exactly one action; ${OVERRIDE_USAGE}`);
  const busName = values.bus ?? (env.DRCTL_BUS || undefined);
  if (busName === undefined) throw new CliError(`no event bus: pass --bus <controller bus name or ARN> or set DRCTL_BUS; ${OVERRIDE_USAGE}`);

  const event = overrideEvent(
    {
      action: positionals[0]!,
      reason: values.reason,
      operator: values.operator ?? userInfo().username,
      requestId: values['request-id'] ?? randomUUID(),
      target: values.target,
      allowDataLoss: values['allow-data-loss'],
      force: values.force,
      until: values.until,
    },
    busName,
    now(),
  );
  if (values['dry-run']) {
    write(JSON.stringify([event.entry], null, 2));
    return;
  }

  const target = resolveAwsTarget(values, env, OVERRIDE_USAGE);
  const client = new EventBridgeClient(awsClientConfig(target, env));
  try {
    const eventId = await publishOverride(client, event, (error) => awsFailure(error, 'EventBridge', target, `PutEvents to bus ${busName}`));
    const { action, requestId, operator } = event.override;
    write(`sent ${action} override ${requestId} by ${operator} to bus ${busName} in ${target.region} (event ${eventId})`);
  } finally {
    client.destroy();
  }
}

/**
 * `drctl failback --reason …`: the `failback` override, a planned switchover (RPO 0) back to the
 * home region. It takes no target (the home region is the configured `initialActive`), no
 * `--allow-data-loss` and no `--force`: the controller refuses it, with the reason, unless the home
 * region's fresh readiness result shows it a member of the global cluster and in sync.
 */
export async function runFailback(args: readonly string[], deps: Partial<OverrideDeps> = {}): Promise<void> {
  const refused = args.filter((arg) => ['--target', '--allow-data-loss', '--force', '--until'].includes(arg.split('=')[0]!));
  if (refused.length > 0) {
    throw new CliError(`${refused.join(', ')}: a failback goes to the home region without data loss and is never forced; for anything else use drctl override failover; ${FAILBACK_USAGE}`);
  }
  if (args.length > 0 && !args[0]!.startsWith('-')) throw new CliError(`failback takes no action or region ('${args[0]}'); ${FAILBACK_USAGE}`);
  await runOverride(['failback', ...args], deps);
}
