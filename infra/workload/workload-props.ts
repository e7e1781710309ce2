import { join } from 'node:path';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import { DEFAULT_POLICY, type Region } from '../../domain/config';
import { DEFAULT_MAX_PAYMENT_AMOUNT, MAX_AMOUNT_INTEGER_DIGITS } from '../../handlers/payments/money';

/**
 * What a user of the protected reference workload (the payment system) configures.
 * Everything else is derived, so every physical name is predictable from these values.
 */
export interface PaymentWorkloadProps {
  /** The protected application's name; prefixes every physical name, e.g. `payments`. */
  readonly app: string;
  /** Environment suffix carried by every physical name, e.g. `dev` → `payments-dev-…`. */
  readonly envName: string;
  /**
   * Regions in preference order: the first is the primary (writer, weight 100), the others are
   * standbys (weight 0, Aurora secondary clusters, DynamoDB and S3 replicas).
   */
  readonly regions: readonly Region[];
  /**
   * AWS account to deploy into.
   * @default - the account of the deploying credentials (`AWS::AccountId` at deploy time)
   */
  readonly account?: string;
  /** Public hosted zone the workload's API is published under, e.g. `payments-dev.example.com`. */
  readonly domainName: string;
  /**
   * What happens to stateful resources (Aurora, DynamoDB, S3, log groups) when a stack is deleted.
   * `DESTROY` also turns off deletion protection and empties buckets, for test environments.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Folder holding the payment Lambda entry files (`validate-payment.handler.ts`,
   * `process-payment.handler.ts`, `notify.handler.ts`, `health.handler.ts`).
   * @default - `handlers/payments` in this repository
   */
  readonly lambdaEntryDir?: string;
  /**
   * Region the DR controller runs in; the dashboards' controller panel reads its metrics there.
   * @default - the first standby region (`regions[1]`), where the controller runs by default
   */
  readonly controllerRegion?: Region;
  /**
   * Largest amount of one payment, in whole major units of its currency (`1000000` = 1,000,000.00
   * USD or 1,000,000 JPY); larger amounts are refused with a 400 naming `amount`.
   * @default 1000000
   */
  readonly maxPaymentAmount?: number;
  /**
   * Witness Region of the payments table (multi-Region strong consistency with two replicas and a
   * witness). Must be in the same MRSC Region set as `regions` and not one of them.
   * @default - with two regions, the third Region of their MRSC set (us-west-2 for us-east-1 +
   *   us-east-2); with three regions, none (three replicas)
   */
  readonly paymentsWitnessRegion?: Region;
  /**
   * The controller policy's RPO budget (`policy.rpoBudgetSeconds`): the replication-lag alarms fire
   * above it, so they agree with the controller's data-loss gate. Pass the policy the controller runs with.
   * @default DEFAULT_POLICY.rpoBudgetSeconds
   */
  readonly rpoBudgetSeconds?: number;
}

/**
 * Regions DynamoDB multi-Region strong consistency (MRSC) can span: every replica and the witness
 * must be in one of these sets.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-dynamodb-globaltable-globaltablewitness.html
 */
export const MRSC_REGION_SETS: Readonly<Record<string, readonly Region[]>> = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

/** The validated props with every default applied and every shared name derived. */
export interface WorkloadConfig {
  readonly app: string;
  readonly envName: string;
  /** `<app>-<envName>`, the start of every physical name. */
  readonly prefix: string;
  readonly regions: readonly Region[];
  readonly primaryRegion: Region;
  readonly standbyRegions: readonly Region[];
  readonly account?: string;
  readonly domainName: string;
  readonly removalPolicy: RemovalPolicy;
  /** True when stateful resources are destroyable (test environments). */
  readonly destroyable: boolean;
  readonly lambdaEntryDir: string;
  readonly controllerRegion: Region;
  /** `/<app>/<envName>`: every workload parameter lives under it, in every region. */
  readonly parameterPrefix: string;
  /** Aurora global cluster identifier, the same from every region. */
  readonly globalClusterIdentifier: string;
  /** DynamoDB global table name, the same in every replica region. */
  readonly sessionsTableName: string;
  /** The payments (idempotency) table: a multi-Region strongly consistent global table. */
  readonly paymentsTableName: string;
  /** Witness Region of the payments table; undefined with three replica regions. */
  readonly paymentsWitnessRegion?: Region;
  /** Largest amount of one payment, in major units of its currency. */
  readonly maxPaymentAmount: number;
  /** The replication-lag alarms' threshold, in seconds: the controller policy's RPO budget. */
  readonly rpoBudgetSeconds: number;
  /** Secrets Manager secret (replicated to every region) holding the API token signing key. */
  readonly apiTokenSecretName: string;
  /** Record name (in `domainName`) of the weighted API records the controller shifts. */
  readonly apiRecordName: string;
  /** `<prefix>-<region>`: the start of every regional resource's name, e.g. `payments-dev-us-east-1`. */
  regionPrefix(region: Region): string;
  /** Aurora cluster identifier of `region`'s member cluster. */
  clusterIdentifier(region: Region): string;
  /** Documents bucket in `region`; includes account and region so it is globally unique. */
  documentsBucketName(region: Region, account: string): string;
  /** Full SSM parameter name for `key` (e.g. `active-region` → `/payments/dev/active-region`). */
  parameterName(key: WorkloadParameterKey): string;
}

/** Every SSM parameter the workload publishes in each region. */
export const WORKLOAD_PARAMETER_KEYS = [
  'active-region',
  'fenced',
  'db/endpoint',
  'db/reader-endpoint',
  'api/url',
  'table/sessions',
  'table/payments',
  'bucket/documents',
] as const;
export type WorkloadParameterKey = (typeof WORKLOAD_PARAMETER_KEYS)[number];

const NAME = /^[a-z][a-z0-9]*$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const ACCOUNT = /^\d{12}$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * Validate `props` and derive the shared names. Throws one error listing every problem, each
 * naming the field and the fix, so `cdk synth` fails before any template is written.
 */
export function resolveWorkloadProps(props: PaymentWorkloadProps): WorkloadConfig {
  const problems: string[] = [];
  const literal = (field: string, value: unknown): boolean => {
    if (typeof value === 'string' && Token.isUnresolved(value)) {
      problems.push(`${field} must be a literal string, not a token: physical names are derived from it at synth`);
      return false;
    }
    return true;
  };

  if (literal('app', props.app) && !(NAME.test(props.app) && props.app.length <= 12)) {
    problems.push(`app must be 1-12 lowercase letters or digits starting with a letter (e.g. 'payments'), got '${props.app}'`);
  }
  if (literal('envName', props.envName) && !(NAME.test(props.envName) && props.envName.length <= 8)) {
    problems.push(`envName must be 1-8 lowercase letters or digits starting with a letter (e.g. 'dev'), got '${props.envName}'`);
  }
  if (props.regions.length < 2) {
    problems.push(`regions must list at least two regions, primary first (e.g. ['us-east-1', 'us-east-2']), got ${props.regions.length}`);
  }
  for (const region of props.regions) {
    if (literal('regions', region) && !REGION.test(region)) problems.push(`regions has '${region}', which is not a region name like 'us-east-1'`);
  }
  if (new Set(props.regions).size !== props.regions.length) {
    problems.push(`regions must not repeat a region, got [${props.regions.join(', ')}]`);
  }
  if (props.account !== undefined && literal('account', props.account) && !ACCOUNT.test(props.account)) {
    problems.push(`account must be a 12-digit AWS account id or left out, got '${props.account}'`);
  }
  if (literal('domainName', props.domainName) && !DOMAIN.test(props.domainName)) {
    problems.push(`domainName must be a lowercase DNS name without a trailing dot (e.g. 'payments-dev.example.com'), got '${props.domainName}'`);
  }
  const controllerRegion = props.controllerRegion ?? props.regions[1] ?? '';
  if (props.controllerRegion !== undefined && literal('controllerRegion', props.controllerRegion) && !REGION.test(props.controllerRegion)) {
    problems.push(`controllerRegion must be a region name like 'us-east-2', got '${props.controllerRegion}'`);
  }
  const maxPayment = props.maxPaymentAmount ?? DEFAULT_MAX_PAYMENT_AMOUNT;
  if (!Number.isInteger(maxPayment) || maxPayment < 1 || maxPayment >= 10 ** MAX_AMOUNT_INTEGER_DIGITS) {
    problems.push(`maxPaymentAmount must be a whole number of major units from 1 to ${10 ** MAX_AMOUNT_INTEGER_DIGITS - 1}, got ${String(props.maxPaymentAmount)}`);
  }
  const rpoBudgetSeconds = props.rpoBudgetSeconds ?? DEFAULT_POLICY.rpoBudgetSeconds;
  if (!Number.isFinite(rpoBudgetSeconds) || rpoBudgetSeconds <= 0) problems.push(`rpoBudgetSeconds must be a number of seconds above 0, got ${String(props.rpoBudgetSeconds)}`);
  const witness = mrscWitness(props.regions, props.paymentsWitnessRegion);
  if (!witness.ok) problems.push(witness.problem);
  if (problems.length > 0) throw new Error(`invalid payment workload props:\n- ${problems.join('\n- ')}`);

  const prefix = `${props.app}-${props.envName}`;
  const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
  const parameterPrefix = `/${props.app}/${props.envName}`;
  const [primaryRegion = '', ...standbyRegions] = props.regions;
  return {
    app: props.app,
    envName: props.envName,
    prefix,
    regions: [...props.regions],
    primaryRegion,
    standbyRegions,
    account: props.account,
    domainName: props.domainName,
    removalPolicy,
    destroyable: removalPolicy === RemovalPolicy.DESTROY,
    lambdaEntryDir: props.lambdaEntryDir ?? join(__dirname, '..', '..', 'handlers', 'payments'),
    controllerRegion,
    parameterPrefix,
    globalClusterIdentifier: `${prefix}-global`,
    sessionsTableName: `${prefix}-sessions`,
    paymentsTableName: `${prefix}-payments`,
    ...(witness.ok && witness.region !== undefined && { paymentsWitnessRegion: witness.region }),
    maxPaymentAmount: maxPayment,
    rpoBudgetSeconds,
    apiTokenSecretName: `${prefix}/api/token-key`,
    apiRecordName: `api.${props.domainName}`,
    regionPrefix: (region) => `${prefix}-${region}`,
    clusterIdentifier: (region) => `${prefix}-${region}`,
    documentsBucketName: (region, account) => `${prefix}-documents-${account}-${region}`,
    parameterName: (key) => `${parameterPrefix}/${key}`,
  };
}

type Witness = { readonly ok: true; readonly region?: Region } | { readonly ok: false; readonly problem: string };

/**
 * The payments table's witness: MRSC needs exactly three Regions of one set, either three replicas
 * or two replicas and a witness.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html#V2globaltables_HowItWorks.consistency-modes-mrsc
 */
function mrscWitness(regions: readonly Region[], requested: Region | undefined): Witness {
  const set = Object.entries(MRSC_REGION_SETS).find(([, members]) => regions.every((region) => members.includes(region)));
  const sets = Object.entries(MRSC_REGION_SETS).map(([name, members]) => `${name}: ${members.join(', ')}`).join('; ');
  if (!set) {
    return { ok: false, problem: `regions must all be in one DynamoDB multi-Region strong consistency Region set (${sets}) for the payments table, got [${regions.join(', ')}]` };
  }
  const [name, members] = set;
  if (regions.length === 3) {
    if (requested !== undefined) return { ok: false, problem: `paymentsWitnessRegion must be left out with three regions (three replicas need no witness), got '${requested}'` };
    return { ok: true };
  }
  if (regions.length !== 2) return { ok: false, problem: `regions must be two or three regions for the payments table's strong consistency, got ${regions.length}` };
  const witness = requested ?? members.find((region) => !regions.includes(region));
  if (witness === undefined || !members.includes(witness) || regions.includes(witness)) {
    return { ok: false, problem: `paymentsWitnessRegion must be a ${name} Region other than [${regions.join(', ')}] (${members.join(', ')}), got '${String(witness)}'` };
  }
  return { ok: true, region: witness };
}
