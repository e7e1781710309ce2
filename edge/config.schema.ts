import * as z from 'zod';
import { DEFAULT_POLICY, type ControllerConfig, type Policy, type SignalKind } from '../domain/config';
import { MAX_ALARM_NAME_CHARS, MAX_REGIONS, MAX_SIGNALS, MAX_STATE_MACHINE_ARN_CHARS } from '../domain/limits';
import { quorumUnreachable } from '../domain/policies/quorum';
import { AWS_REGION_PATTERN } from './aws-formats';
import { expected, formatIssues, show, strictObjectOf } from './issues';

/**
 * The controller configuration JSON, validated at the edge into the domain's `ControllerConfig`
 * with every default filled. File reading belongs to callers; this module is pure.
 *
 * ```json
 * {"app":"payments","regions":["us-east-1","us-east-2"],"initialActive":"us-east-1",
 *  "signals":[{"alarmName":"payments-us-east-1-api-5xx","region":"us-east-1","kind":"alarm"}],
 *  "policy":{"quorum":2,"minKinds":2}}
 * ```
 */

/** What {@link parseConfig} returns: the config, or one message per problem. */
export type ParseConfigResult = { readonly ok: true; readonly config: ControllerConfig } | { readonly ok: false; readonly errors: string[] };

/**
 * The app name becomes part of the failover's Step Functions execution name
 * (`<app>-failover-g<generation>-<epoch seconds>`, see `executionNameFor`), which must be at most
 * 80 characters, and only `0-9 A-Z a-z - _` keep it usable with CloudWatch Logs.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
export const APP_PATTERN = /^[a-zA-Z0-9_-]{1,40}$/;

/**
 * A state machine's ARN, `arn:<partition>:states:<region>:<account>:stateMachine:<name>`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html
 */
const STATE_MACHINE_ARN = /^arn:aws[a-z-]{0,20}:states:[a-z]{2}(?:-[a-z]+){1,3}-\d{1,2}:\d{12}:stateMachine:[a-zA-Z0-9_-]{1,80}$/;

const SIGNAL_KINDS = ['alarm', 'health-check', 'probe', 'heartbeat'] as const satisfies readonly SignalKind[];
const DATA_LOSS_POLICIES = ['never', 'within-rpo-budget', 'always'] as const;

function wholeNumber(min: number, fix: string) {
  const message = expected(`a whole number ≥ ${min}`, fix);
  return z.int(message).min(min, message);
}

function seconds(min: number, fix: string) {
  const message = expected(`a number of seconds ≥ ${min}`, fix);
  return z.number(message).min(min, message);
}

function flag(fix: string) {
  return z.boolean(expected('true or false', fix));
}

const regionName = z
  .string(expected("an AWS region code such as 'us-east-1'", 'use the region code, not its display name'))
  .regex(AWS_REGION_PATTERN, expected("an AWS region code such as 'us-east-1'", 'use the lowercase region code, e.g. us-east-2'));

const policySchema = strictObjectOf(
  {
    quorum: wholeNumber(1, 'set how many critical signals of a region must be in ALARM for it to be down, e.g. 2').default(DEFAULT_POLICY.quorum),
    minKinds: wholeNumber(1, 'use 1 (any signals) or 2 (e.g. a probe and a heartbeat)')
      .max(SIGNAL_KINDS.length, {
        error: (issue) => `${show(issue.input)} is more than the ${SIGNAL_KINDS.length} signal kinds that exist (${SIGNAL_KINDS.join(', ')}); use at most ${SIGNAL_KINDS.length}, e.g. 2`,
      })
      .default(DEFAULT_POLICY.minKinds),
    sustainSeconds: seconds(0, 'use 0 to act as soon as the quorum holds, e.g. 60').default(DEFAULT_POLICY.sustainSeconds),
    cooldownSeconds: seconds(0, 'use 0 for no cooldown, e.g. 3600').default(DEFAULT_POLICY.cooldownSeconds),
    maxAutoFailovers: wholeNumber(1, 'to stop automatic failovers use policy.dryRun or an operator freeze, e.g. 1').default(DEFAULT_POLICY.maxAutoFailovers),
    windowSeconds: seconds(1, 'set the sliding window maxAutoFailovers counts in, e.g. 86400').default(DEFAULT_POLICY.windowSeconds),
    autoFailback: flag('false keeps automatic failovers away from initialActive once it has failed').default(DEFAULT_POLICY.autoFailback),
    dryRun: flag('true decides and publishes without executing').default(DEFAULT_POLICY.dryRun),
    dataLoss: z.enum(DATA_LOSS_POLICIES, expected(`one of ${DATA_LOSS_POLICIES.join(', ')}`, 'pick how much data loss a failover may accept')).default(DEFAULT_POLICY.dataLoss),
    rpoBudgetSeconds: seconds(0, 'set the replication lag a within-rpo-budget failover may lose, e.g. 5').default(DEFAULT_POLICY.rpoBudgetSeconds),
    heartbeatWindowSeconds: z
      .number(expected('a number of seconds > 0', 'heartbeats come once a minute, so leave room for one late or lost, e.g. 90'))
      .positive(expected('a number of seconds > 0', 'heartbeats come once a minute, so leave room for one late or lost, e.g. 90'))
      .default(DEFAULT_POLICY.heartbeatWindowSeconds),
    readinessMaxAgeSeconds: z
      .number(expected('a number of seconds > 0', 'readiness runs every 15 minutes, so allow a few runs, e.g. 2700'))
      .positive(expected('a number of seconds > 0', 'readiness runs every 15 minutes, so allow a few runs, e.g. 2700'))
      .default(DEFAULT_POLICY.readinessMaxAgeSeconds),
  },
  'a policy object',
)
  .superRefine((policy, ctx) => {
    if (policy.quorum >= 1 && policy.minKinds > policy.quorum) {
      ctx.addIssue({
        code: 'custom',
        path: ['minKinds'],
        input: policy.minKinds,
        message: `${policy.minKinds} is more than policy.quorum (${policy.quorum}): ${policy.quorum} signal(s) cannot span ${policy.minKinds} kinds; lower policy.minKinds or raise policy.quorum`,
      });
    }
  })
  .prefault({}) satisfies z.ZodType<Policy>;

const signalSchema = strictObjectOf(
  {
    alarmName: z
      .string(expected("the CloudWatch alarm's name", 'copy the exact alarm name from CloudWatch'))
      .regex(/\S/, { error: "must not be empty; copy the exact alarm name from CloudWatch" })
      .max(MAX_ALARM_NAME_CHARS, { error: `is longer than CloudWatch's ${MAX_ALARM_NAME_CHARS} characters; copy the exact alarm name from CloudWatch` })
      // eslint-disable-next-line no-control-regex -- CloudWatch refuses control characters in alarm names
      .regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'contains a control character, which CloudWatch alarm names cannot; copy the exact alarm name from CloudWatch' }),
    region: z.string(expected('the region this signal judges', 'use one of regions')),
    kind: z.enum(
      SIGNAL_KINDS,
      expected(
        `one of ${SIGNAL_KINDS.join(', ')}`,
        "use 'health-check' for Route 53 health-check alarms, 'probe' for the prober's alarms, 'heartbeat' for a region's heartbeat and 'alarm' for the rest",
      ),
    ),
    critical: flag('false makes the signal count only against a target, not towards the down quorum').default(true),
  },
  'a signal object',
);

/**
 * The configuration schema. Field rules live on the fields; the rules that relate fields (region
 * membership, unique names, quorum coverage) run once the fields have the right types.
 */
export const configSchema = strictObjectOf(
  {
    app: z
      .string(expected('the application name', "use letters, digits, '-' or '_', e.g. 'payments'"))
      .regex(APP_PATTERN, expected("1..40 letters, digits, '-' or '_' (it becomes part of a Step Functions execution name)", "rename it, e.g. 'payments'")),
    regions: z
      .array(regionName, expected('a list of region codes in preference order', 'write e.g. ["us-east-1", "us-east-2"]'))
      .min(2, { error: (issue) => `needs at least 2 regions, got ${show(issue.input)}; add a standby region, e.g. ["us-east-1", "us-east-2"]` })
      .max(MAX_REGIONS, { error: `has more than ${MAX_REGIONS} regions (MAX_REGIONS, which bounds the state's size); protect fewer regions per controller` })
      .superRefine((regions, ctx) => {
        regions.forEach((region, index) => {
          const first = regions.indexOf(region);
          if (first !== index) {
            ctx.addIssue({ code: 'custom', path: [index], input: region, message: `'${region}' is already listed at regions[${first}]; remove the duplicate` });
          }
        });
      }),
    initialActive: z.string(expected('the region that is active at first', 'use one of regions, e.g. the first')),
    signals: z
      .array(signalSchema, expected('a list of signals', 'list the CloudWatch alarms that judge each region'))
      .max(MAX_SIGNALS, { error: `has more than ${MAX_SIGNALS} signals (MAX_SIGNALS, which bounds the state's size); combine alarms into composite alarms` })
      .superRefine((signals, ctx) => {
        const names = signals.map((signal) => signal.alarmName);
        names.forEach((name, index) => {
          const first = names.indexOf(name);
          if (first !== index) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'alarmName'],
              input: name,
              message: `'${name}' is already used by signals[${first}]; an alarm judges one region, so remove the duplicate`,
            });
          }
        });
      }),
    policy: policySchema,
    account: z
      .string(expected('a 12-digit AWS account id', 'the account the controller, its alarms and its operators are in'))
      .regex(/^\d{12}$/, expected('a 12-digit AWS account id', 'the account the controller, its alarms and its operators are in'))
      .optional(),
    controllerRegion: regionName.optional(),
    stateMachineArn: z
      .string(expected('the failover state machine ARN', 'copy it from the controller stack outputs'))
      .max(MAX_STATE_MACHINE_ARN_CHARS, { error: `is longer than ${MAX_STATE_MACHINE_ARN_CHARS} characters; copy it from the controller stack outputs` })
      .regex(STATE_MACHINE_ARN, expected('arn:aws:states:<region>:<account>:stateMachine:<name>', 'copy it from the controller stack outputs'))
      .optional(),
  },
  'a configuration object',
).superRefine((config, ctx) => {
  const listed = `[${config.regions.join(', ')}]`;
  const machine = config.stateMachineArn?.split(':');
  if (machine && ((config.controllerRegion !== undefined && machine[3] !== config.controllerRegion) || (config.account !== undefined && machine[4] !== config.account))) {
    ctx.addIssue({
      code: 'custom',
      path: ['stateMachineArn'],
      input: config.stateMachineArn,
      message: `is in region ${machine[3]} and account ${machine[4]}, but the controller is in ${config.controllerRegion ?? 'any region'} and ${config.account ?? 'any account'}; the failover state machine is the controller's own`,
    });
  }
  if (!config.regions.includes(config.initialActive)) {
    ctx.addIssue({
      code: 'custom',
      path: ['initialActive'],
      input: config.initialActive,
      message: `'${config.initialActive}' is not in regions ${listed}; use one of them or add it to regions`,
    });
  }
  config.signals.forEach((signal, index) => {
    if (!config.regions.includes(signal.region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['signals', index, 'region'],
        input: signal.region,
        message: `'${signal.region}' is not in regions ${listed}; use one of them or add it to regions`,
      });
    }
  });
  const heartbeatOf = new Map<string, number>();
  config.signals.forEach((signal, index) => {
    if (signal.kind !== 'heartbeat') return;
    const first = heartbeatOf.get(signal.region);
    if (first === undefined) {
      heartbeatOf.set(signal.region, index);
      return;
    }
    ctx.addIssue({
      code: 'custom',
      path: ['signals', index, 'kind'],
      input: signal.kind,
      message: `${signal.region} already has a heartbeat signal (signals[${first}]); a region has one heartbeat, so remove this one`,
    });
  });
  // The engine's own region-down rule (domain/policies/quorum.ts): with every critical signal of a region in ALARM, would it be down?
  for (const region of new Set(config.regions)) {
    const critical = config.signals.filter((signal) => signal.critical && signal.region === region);
    const unreachable = quorumUnreachable(
      critical.map((signal) => signal.kind),
      config.policy,
    );
    if (unreachable !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['signals'],
        input: config.signals,
        message: `region ${region} has ${unreachable}, so the controller could never detect ${region} down; add signals for ${region} or lower policy.quorum/policy.minKinds`,
      });
    }
  }
});

/**
 * Validates controller configuration JSON (already parsed, e.g. by `JSON.parse`) and fills the
 * defaults of {@link DEFAULT_POLICY}. Every error names its field as a path
 * (`policy.quorum`, `signals[2].region`) and says how to fix it.
 */
export function parseConfig(input: unknown): ParseConfigResult {
  const result = configSchema.safeParse(input);
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, errors: formatIssues(result.error.issues, 'config').map(({ field, message }) => `${field}: ${message}`) };
}
