import { join } from 'node:path';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import type { Region } from '../../domain/config';

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
}

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
  'api/url',
  'table/sessions',
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
    apiRecordName: `api.${props.domainName}`,
    regionPrefix: (region) => `${prefix}-${region}`,
    clusterIdentifier: (region) => `${prefix}-${region}`,
    documentsBucketName: (region, account) => `${prefix}-documents-${account}-${region}`,
    parameterName: (key) => `${parameterPrefix}/${key}`,
  };
}
