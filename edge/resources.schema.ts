import * as z from 'zod';
import { AWS_REGION_PATTERN } from './aws-formats';
import { expected, formatIssues, strictObjectOf } from './issues';

/**
 * `DR_RESOURCES`: the AWS resource identifiers every Lambda function of the controller needs, as
 * the controller stack writes them into the functions' environment. Validated once per container
 * at cold start; every error names the field and says how to fix it.
 *
 * ```json
 * {"stateTableName":"payments-prod-controller-state","controllerBusName":"payments-prod-controller",
 *  "controllerRegion":"us-east-2","parameterPrefix":"/payments/prod",
 *  "database":{"globalClusterIdentifier":"payments","clusterArns":{"us-east-1":"arn:aws:rds:us-east-1:123456789012:cluster:payments-use1"}},
 *  "traffic":{"hostedZoneId":"Z0123456789ABC","recordName":"api.example.com","recordType":"A",
 *             "setIdentifiers":{"us-east-1":"use1"},"healthCheckIds":{"us-east-1":"abcd-1234"}},
 *  "probeUrls":{"us-east-1":"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod/health"}}
 * ```
 *
 * `wakeUpQueueUrl` (the decide function's) and `probeUrls` (the prober's: each protected region's
 * regional `/health` URL, called directly so the probe judges that region alone) are optional.
 */

const RDS_CLUSTER_ARN = /^arn:aws[a-z-]*:rds:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:cluster:[A-Za-z][A-Za-z0-9-]*$/;
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;
const SQS_QUEUE_URL = /^https?:\/\/\S+$/;
const HTTPS_URL = /^https:\/\/[^\s/]+(\/\S*)?$/;

function name(what: string, fix: string) {
  return z.string(expected(what, fix)).regex(/\S/, expected(what, fix));
}

const region = z.string(expected("a region code such as 'us-east-1'", 'use the lowercase region code')).regex(AWS_REGION_PATTERN, expected("a region code such as 'us-east-1'", 'use the lowercase region code'));

/** A map with one entry per region, keyed by region code. */
function perRegion(value: z.ZodType<string>, what: string) {
  return z
    .record(z.string().regex(AWS_REGION_PATTERN), value, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? `is not a region code; key the map by region codes such as 'us-east-1', each mapped to ${what}`
          : expected(`an object mapping each region code to ${what}`, 'write e.g. {"us-east-1": "…"}').error(issue),
    })
    .refine((map) => Object.keys(map).length > 0, { error: `is empty; map every region code to ${what}` });
}

/**
 * The schema of `DR_RESOURCES`. Unknown keys are rejected so a misspelt name fails at cold start
 * instead of being ignored.
 *
 * @see https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html
 * @see https://docs.aws.amazon.com/Route53/latest/APIReference/API_ResourceRecordSet.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html (parameter names)
 */
export const resourcesSchema = strictObjectOf(
  {
    stateTableName: name('the DynamoDB state table name', 'use <app>-<env>-controller-state'),
    controllerBusName: name('the EventBridge controller bus name', 'use <app>-<env>-controller'),
    controllerRegion: region,
    stateMachineArn: z
      .string(expected('the failover state machine ARN', 'use arn:aws:states:<region>:<account>:stateMachine:<name>, or leave it out'))
      .regex(STATE_MACHINE_ARN, expected('the failover state machine ARN', 'use arn:aws:states:<region>:<account>:stateMachine:<name>'))
      .optional(),
    deadLetterQueueUrl: z
      .string(expected("the controller's dead-letter queue URL", 'use https://sqs.<region>.amazonaws.com/<account>/<name>, or leave it out'))
      .regex(SQS_QUEUE_URL, expected("the controller's dead-letter queue URL", 'use https://sqs.<region>.amazonaws.com/<account>/<name>'))
      .optional(),
    wakeUpQueueUrl: z
      .string(expected("the controller's wake-up queue URL", 'use https://sqs.<region>.amazonaws.com/<account>/<app>-<env>-wakeups, or leave it out'))
      .regex(SQS_QUEUE_URL, expected("the controller's wake-up queue URL", 'use https://sqs.<region>.amazonaws.com/<account>/<app>-<env>-wakeups'))
      .optional(),
    probeUrls: perRegion(
      z.string().regex(HTTPS_URL, expected('an https URL', "use the region's own API endpoint, e.g. https://<api-id>.execute-api.<region>.amazonaws.com/prod/health")),
      "the https URL of that region's regional health endpoint (not the shared DNS name)",
    ).optional(),
    parameterPrefix: z
      .string(expected('an SSM parameter path', "use the workload's path, e.g. /payments/prod"))
      .regex(/^(\/[A-Za-z0-9_.-]+)+$/, expected("an SSM parameter path that starts with '/' and does not end with one", 'write e.g. /payments/prod')),
    database: strictObjectOf(
      {
        globalClusterIdentifier: name('the Aurora global database identifier', 'copy it from the RDS console'),
        clusterArns: perRegion(
          z.string().regex(RDS_CLUSTER_ARN, expected('an Aurora DB cluster ARN', 'use arn:aws:rds:<region>:<account>:cluster:<id>')),
          "that region's Aurora DB cluster ARN",
        ),
      },
      'a database object',
    ),
    traffic: strictObjectOf(
      {
        hostedZoneId: name('the Route 53 hosted zone id', 'copy it from Route 53, e.g. Z0123456789ABC'),
        recordName: name('the DNS name of the weighted records', 'write e.g. api.example.com'),
        recordType: z.enum(['A', 'AAAA', 'CNAME'], expected("one of 'A', 'AAAA', 'CNAME'", 'use the type of the weighted records')),
        setIdentifiers: perRegion(name('a SetIdentifier', "copy the record's SetIdentifier"), "the SetIdentifier of that region's weighted record"),
        healthCheckIds: perRegion(name('a health check id', 'copy it from Route 53'), "the id of the health check that probes that region's endpoint"),
      },
      'a traffic object',
    ),
  },
  'a JSON object',
).superRefine((resources, ctx) => {
  for (const [key, arn] of Object.entries(resources.database.clusterArns)) {
    const arnRegion = RDS_CLUSTER_ARN.exec(arn)?.[1];
    if (arnRegion !== undefined && arnRegion !== key) {
      ctx.addIssue({ code: 'custom', path: ['database', 'clusterArns', key], message: `is a cluster in ${arnRegion}; use the ARN of the cluster in ${key}` });
    }
  }
});

/** The validated `DR_RESOURCES`. */
export type Resources = z.infer<typeof resourcesSchema>;

export type ParseResourcesResult = { readonly ok: true; readonly resources: Resources } | { readonly ok: false; readonly errors: string[] };

/**
 * Validate `DR_RESOURCES`, given as the raw JSON string or already parsed. Never throws: bad input
 * yields one message per problem, each starting with the field's path.
 */
export function parseResources(input: unknown): ParseResourcesResult {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      return { ok: false, errors: [`DR_RESOURCES: not valid JSON (${(error as Error).message}); set it to the JSON object the controller stack writes`] };
    }
  }
  const result = resourcesSchema.safeParse(value);
  if (result.success) return { ok: true, resources: result.data };
  return {
    ok: false,
    errors: formatIssues(result.error.issues, '').map(({ field, message }) => `DR_RESOURCES${field ? `.${field}` : ''}: ${message}`),
  };
}

/**
 * The per-region maps must cover every region of the configuration: the steps look up the
 * target's and the old region's cluster, record and health check by region. One message per gap.
 */
export function missingRegions(resources: Resources, regions: readonly string[]): string[] {
  const { database, traffic } = resources;
  return regions.flatMap((region) => [
    ...(database.clusterArns[region] ? [] : [`DR_RESOURCES.database.clusterArns: no entry for ${region}; add the ARN of its Aurora DB cluster`]),
    ...(traffic.setIdentifiers[region] ? [] : [`DR_RESOURCES.traffic.setIdentifiers: no entry for ${region}; add the SetIdentifier of its weighted record`]),
    ...(traffic.healthCheckIds[region] ? [] : [`DR_RESOURCES.traffic.healthCheckIds: no entry for ${region}; add the id of the health check on its endpoint`]),
  ]);
}
