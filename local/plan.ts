import type { AttributeDefinition, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { parameterName } from '../adapters/config-store/app-parameters.codec';
import type { Region } from '../domain/config';
import type { Resources } from '../edge/resources.schema';
import type { ControllerSettings } from '../infra/controller/controller-stacks';
import { controllerNames, type ControllerNames } from '../infra/controller/controller-names';
import { READINESS_METRIC } from '../handlers/readiness/readiness-setup';
import { resolveIntrinsics, workflowFromTemplate, type SynthesizedWorkflow } from './state-machine';
import type { PlannedRule, SynthesizedReference, SynthesizedStack } from './stacks';
import { drillTimings, type DrillTimings } from './timings';

export type { PlannedRule, PlannedTarget, SynthesizedReference, SynthesizedStack } from './stacks';

/**
 * What the local AWS stands up, read from the SAME synthesized stacks `cdk deploy` would deploy (for
 * the drill: the reference payments controller, `cli/drill/reference-app.ts`): event buses, the rules with their exact event patterns and targets
 * (including the cross-region forwarding rule), the FIFO queue and its dead-letter queue, the
 * state table and the failover state machine. The workload's side the controller acts on — the
 * Route 53 weighted records with their health checks and the SSM parameters in every region —
 * comes from the same settings' resource identifiers (`DR_RESOURCES`).
 */

export interface PlannedQueue {
  readonly region: Region;
  readonly name: string;
  /** CreateQueue attributes, as SQS takes them (strings). */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface PlannedTable {
  readonly region: Region;
  readonly name: string;
  readonly keySchema: KeySchemaElement[];
  readonly attributeDefinitions: AttributeDefinition[];
}

/** The workload's weighted records: one per region, the active one at weight 100. */
export interface PlannedDns {
  readonly zoneName: string;
  readonly recordName: string;
  readonly recordType: Resources['traffic']['recordType'];
  /** TTL of the records: what the RTO model counts resolvers caching the answer for. */
  readonly ttlSeconds: number;
  /** `host`: what the record answers and the health check probes, a stand-in for the region's API host name. */
  readonly records: readonly { readonly region: Region; readonly setIdentifier: string; readonly weight: number; readonly host: string }[];
}

/** Everything the drill creates, and what the templates hold that it does not. */
export interface DrillPlan {
  readonly settings: ControllerSettings;
  readonly names: ControllerNames;
  readonly account: string;
  readonly controllerRegion: Region;
  readonly buses: readonly { readonly region: Region; readonly name: string }[];
  readonly queues: readonly PlannedQueue[];
  readonly tables: readonly PlannedTable[];
  readonly rules: readonly PlannedRule[];
  readonly stateMachine: { readonly region: Region; readonly name: string; readonly arn: string; readonly definition: string; readonly roleArn: string };
  /** The failover state machine of the controller template, ready to run locally. */
  readonly workflow: SynthesizedWorkflow;
  readonly dns: PlannedDns;
  readonly parameters: readonly { readonly region: Region; readonly name: string; readonly value: string }[];
  /** ARN of the tick rule, for the scheduled events the drill injects in its place. */
  readonly tickRuleArn: string;
  /** Resource types in the templates that the drill does not create, e.g. `7 AWS::Lambda::Function`. */
  readonly notCreated: readonly string[];
  /** Every duration the scenarios simulate, from the synthesized stacks and the RTO model. */
  readonly timings: DrillTimings;
  /** The readiness schedule and its alarms, from the controller stack; undefined when it has none. */
  readonly readiness?: PlannedReadiness;
}

/** One target's readiness alarm as synthesized: `ReadinessFailed` (dimension `Target`) against its threshold. */
export interface PlannedReadinessAlarm {
  readonly alarmName: string;
  readonly threshold: number;
  readonly comparison: string;
  readonly evaluationPeriods: number;
}

/** The readiness function's schedule (`rate(N minutes)`) and one alarm per region. */
export interface PlannedReadiness {
  readonly ruleName: string;
  readonly intervalSeconds: number;
  readonly alarms: Readonly<Record<Region, PlannedReadinessAlarm>>;
}

/** Resource types the local AWS creates; everything else runs in-process or does not apply locally. */
export const CREATED_TYPES = new Set(['AWS::Events::EventBus', 'AWS::SQS::Queue', 'AWS::DynamoDB::Table', 'AWS::Events::Rule', 'AWS::StepFunctions::StateMachine']);

/** Read the drill plan out of the synthesized stacks, with the timings the scenarios simulate. */
export function drillPlan(reference: SynthesizedReference): DrillPlan {
  const plan = planOf(reference.settings, reference.stacks, reference.rto.inputs.dnsTtlSeconds);
  const readiness = readinessOf(plan, reference.stacks);
  return { ...plan, timings: drillTimings(reference, plan), ...(readiness ? { readiness } : {}) };
}

/**
 * The readiness schedule rule (`<prefix>-readiness`, `rate(N minutes)`) and each region's alarm on
 * `ReadinessFailed`, read from the synthesized stacks.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html (rate expressions)
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
 */
function readinessOf(plan: Omit<DrillPlan, 'timings'>, stacks: readonly SynthesizedStack[]): PlannedReadiness | undefined {
  const rule = plan.rules.find((r) => r.name === plan.names.readinessFunctionName && r.scheduleExpression !== undefined);
  const rate = /^rate\((\d+) minutes?\)$/.exec(rule?.scheduleExpression ?? '');
  if (!rule || !rate) return undefined;
  const alarms: Record<Region, PlannedReadinessAlarm> = {};
  for (const stack of stacks) {
    for (const resource of Object.values(stack.template.Resources)) {
      const p = resource.Properties ?? {};
      if (resource.Type !== 'AWS::CloudWatch::Alarm' || p.MetricName !== READINESS_METRIC.name) continue;
      const target = (p.Dimensions as { Name?: string; Value?: string }[] | undefined)?.find((d) => d.Name === READINESS_METRIC.targetDimension)?.Value;
      if (target === undefined) continue;
      alarms[target] = { alarmName: String(p.AlarmName), threshold: Number(p.Threshold), comparison: String(p.ComparisonOperator), evaluationPeriods: Number(p.EvaluationPeriods) };
    }
  }
  return { ruleName: rule.name, intervalSeconds: Number(rate[1]) * 60, alarms };
}

function planOf(settings: ControllerSettings, stacks: readonly SynthesizedStack[], ttlSeconds: number): Omit<DrillPlan, 'timings'> {
  const { config, resources, envName } = settings;
  const names = controllerNames(config.app, envName);
  const controller = stacks.find((s) => s.region === resources.controllerRegion);
  if (!controller) throw new Error(`no synthesized stack in the controller region ${resources.controllerRegion}`);
  const account = controller.account;

  const ofType = (type: string) =>
    stacks.flatMap((stack) =>
      Object.entries(stack.template.Resources)
        .filter(([, r]) => r.Type === type)
        .map(([logicalId, r]) => ({ stack, logicalId, properties: r.Properties ?? {} })),
    );

  const queueNames = new Map(ofType('AWS::SQS::Queue').map((q) => [`${q.stack.name}/${q.logicalId}`, String(q.properties.QueueName)]));
  const resolve = (value: unknown, stack: SynthesizedStack) =>
    resolveIntrinsics(value, stack.template, {
      account: stack.account,
      region: stack.region,
      ref: (logicalId) => {
        const type = stack.template.Resources[logicalId]?.Type;
        if (type === 'AWS::Events::EventBus') return String(stack.template.Resources[logicalId]?.Properties?.Name);
        return undefined;
      },
      getAtt: (logicalId, attribute) => {
        const type = stack.template.Resources[logicalId]?.Type;
        if (type === 'AWS::SQS::Queue' && attribute === 'Arn') return `arn:aws:sqs:${stack.region}:${stack.account}:${queueNames.get(`${stack.name}/${logicalId}`)}`;
        if (type === 'AWS::Events::EventBus' && attribute === 'Arn') {
          return `arn:aws:events:${stack.region}:${stack.account}:event-bus/${String(stack.template.Resources[logicalId]?.Properties?.Name)}`;
        }
        if (type === 'AWS::IAM::Role' && attribute === 'Arn') return `arn:aws:iam::${stack.account}:role/${logicalId}`;
        return undefined;
      },
    });

  const queues: PlannedQueue[] = ofType('AWS::SQS::Queue').map(({ stack, properties: p }) => {
    const attributes: Record<string, string> = {};
    if (p.FifoQueue === true) attributes.FifoQueue = 'true';
    if (p.ContentBasedDeduplication === true) attributes.ContentBasedDeduplication = 'true';
    if (typeof p.VisibilityTimeout === 'number') attributes.VisibilityTimeout = String(p.VisibilityTimeout);
    if (typeof p.MessageRetentionPeriod === 'number') attributes.MessageRetentionPeriod = String(p.MessageRetentionPeriod);
    if (p.RedrivePolicy !== undefined) attributes.RedrivePolicy = JSON.stringify(resolve(p.RedrivePolicy, stack));
    return { region: stack.region, name: String(p.QueueName), attributes };
  });
  // A queue's dead-letter queue must exist before the queue that names it.
  queues.sort((a, b) => Number('RedrivePolicy' in a.attributes) - Number('RedrivePolicy' in b.attributes));

  const rules: PlannedRule[] = ofType('AWS::Events::Rule').map(({ stack, properties: p }) => {
    const targets = resolve(p.Targets ?? [], stack) as { Id: string; Arn: string; RoleArn?: string; SqsParameters?: { MessageGroupId?: string }; DeadLetterConfig?: { Arn?: string } }[];
    return {
      region: stack.region,
      busName: p.EventBusName === undefined ? 'default' : String(resolve(p.EventBusName, stack)),
      name: String(p.Name),
      ...(p.EventPattern !== undefined ? { eventPattern: resolve(p.EventPattern, stack) as Record<string, unknown> } : {}),
      ...(typeof p.ScheduleExpression === 'string' ? { scheduleExpression: p.ScheduleExpression } : {}),
      targets: targets.map((t) => ({
        id: t.Id,
        arn: t.Arn,
        ...(t.SqsParameters?.MessageGroupId !== undefined ? { messageGroupId: t.SqsParameters.MessageGroupId } : {}),
        ...(t.RoleArn !== undefined ? { roleArn: t.RoleArn } : {}),
        ...(t.DeadLetterConfig?.Arn !== undefined ? { deadLetterArn: t.DeadLetterConfig.Arn } : {}),
      })),
    };
  });

  const machines = ofType('AWS::StepFunctions::StateMachine');
  const [machine] = machines;
  if (machines.length !== 1 || !machine) throw new Error(`expected one failover state machine in the controller stacks, found ${machines.length}`);
  const workflow = workflowFromTemplate(machine.stack.template, { account, region: machine.stack.region });
  const stateMachineName = String(machine.properties.StateMachineName);

  const zoneName = resources.traffic.recordName.split('.').slice(1).join('.');
  return {
    settings,
    names,
    account,
    controllerRegion: resources.controllerRegion,
    buses: ofType('AWS::Events::EventBus').map(({ stack, properties }) => ({ region: stack.region, name: String(properties.Name) })),
    queues,
    tables: ofType('AWS::DynamoDB::Table').map(({ stack, properties }) => ({
      region: stack.region,
      name: String(properties.TableName),
      keySchema: properties.KeySchema as KeySchemaElement[],
      attributeDefinitions: properties.AttributeDefinitions as AttributeDefinition[],
    })),
    rules,
    stateMachine: {
      region: machine.stack.region,
      name: stateMachineName,
      arn: `arn:aws:states:${machine.stack.region}:${account}:stateMachine:${stateMachineName}`,
      definition: JSON.stringify(workflow.definition),
      roleArn: `arn:aws:iam::${account}:role/${stateMachineName}`,
    },
    workflow,
    dns: {
      zoneName,
      recordName: resources.traffic.recordName,
      recordType: resources.traffic.recordType,
      ttlSeconds,
      records: config.regions.map((region) => {
        const setIdentifier = resources.traffic.setIdentifiers[region];
        if (setIdentifier === undefined) throw new Error(`resources.traffic.setIdentifiers has no entry for ${region}; add the SetIdentifier of its weighted record`);
        return { region, setIdentifier, weight: region === config.initialActive ? 100 : 0, host: `${config.app}-${envName}.execute-api.${region}.amazonaws.com` };
      }),
    },
    parameters: config.regions.flatMap((region) => [
      { region, name: parameterName(resources.parameterPrefix, 'activeRegion'), value: config.initialActive },
      { region, name: parameterName(resources.parameterPrefix, 'fenced'), value: 'false' },
    ]),
    tickRuleArn: `arn:aws:events:${resources.controllerRegion}:${account}:rule/${names.prefix}-tick`,
    notCreated: summarizeSkipped(stacks),
  };
}

function summarizeSkipped(stacks: readonly SynthesizedStack[]): string[] {
  const counts = new Map<string, number>();
  for (const stack of stacks) {
    for (const r of Object.values(stack.template.Resources)) if (!CREATED_TYPES.has(r.Type)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${n} ${type}`);
}

/** ARN of the controller queue of `plan`: the target the synthesized rules name. */
export function controllerQueueArn(plan: Pick<DrillPlan, 'controllerRegion' | 'account' | 'names'>): string {
  return `arn:aws:sqs:${plan.controllerRegion}:${plan.account}:${plan.names.queueName}`;
}
