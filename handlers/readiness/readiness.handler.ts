import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AwsReadinessWorld } from '../../adapters/readiness/aws-readiness-world.adapter';
import { IamPermissionSimulator } from '../../adapters/readiness/iam-permission-simulator.adapter';
import type { ControllerConfig, Region } from '../../domain/config';
import type { Publisher } from '../../domain/ports/publisher.port';
import type { ReadinessWorld } from '../../domain/ports/readiness-world.port';
import type { StateStore } from '../../domain/ports/state-store.port';
import { evaluateReadiness, type ReadinessReport } from '../../domain/readiness';
import type { Resources } from '../../edge/resources.schema';
import { logger, metrics, MetricUnit, observed } from '../runtime/observability';
import { publisher } from '../runtime/publisher-root';
import { clientConfig, once, settings } from '../runtime/settings-root';
import { stateStore } from '../runtime/state-store-root';
import { failbackPossible, parseReadinessTargets, READINESS_METRIC, readinessExpectations, readinessNotices, readinessWorldOptions } from './readiness-setup';

/** What one evaluation needs; the Lambda builds it from its environment, tests pass their own. */
export interface ReadinessDeps {
  readonly config: ControllerConfig;
  readonly resources: Resources;
  readonly world: ReadinessWorld;
  readonly stateStore: StateStore;
  readonly publisher: Publisher;
}

/**
 * One evaluation: the active region from the controller's state (the configured initial one
 * before the first decision), every check for every other region, one `DR Readiness` notice per
 * target and `ReadinessFailed` (dimension `Target`) per target. While another region serves, the
 * home region is a target too, and its notice says whether a failback is possible
 * (`failbackPossible`): the controller routes the notices to its queue and keeps the results.
 */
export async function runReadiness(deps: ReadinessDeps): Promise<ReadinessReport> {
  const stored = await deps.stateStore.load(deps.config.app);
  const active: Region = stored?.state.active ?? deps.config.initialActive;
  const report = evaluateReadiness(await deps.world.observe(), readinessExpectations(deps.config, deps.resources, active));
  for (const target of report.targets) {
    const metric = metrics.singleMetric();
    metric.addDimension(READINESS_METRIC.targetDimension, target.target);
    metric.addMetric(READINESS_METRIC.name, MetricUnit.Count, target.ready ? 0 : 1);
    if (target.ready) logger.info('target ready', { target: target.target });
    else logger.warn('target not ready', { target: target.target, failing: target.failing, checks: target.checks.filter((c) => !c.passed) });
  }
  const home = deps.config.initialActive;
  const possible = failbackPossible(report, home);
  if (possible !== undefined) logger.info(possible ? 'failback possible' : 'failback not possible yet', { home, active: report.active });
  await deps.publisher.publish(readinessNotices(deps.config.app, report, home));
  return report;
}

function lambdaDeps(): ReadinessDeps {
  return once('readiness', () => {
    const { config, resources } = settings();
    const regional = <T>(build: (region: Region) => T) => {
      const built = new Map<Region, T>();
      return (region: Region): T => {
        if (!built.has(region)) built.set(region, build(region));
        return built.get(region)!;
      };
    };
    const home = resources.controllerRegion;
    const clients = {
      rds: regional((r) => new RDSClient(clientConfig(r))),
      cloudWatch: regional((r) => new CloudWatchClient(clientConfig(r))),
      ssm: regional((r) => new SSMClient(clientConfig(r))),
      route53: new Route53Client(clientConfig('us-east-1')),
      stepFunctions: new SFNClient(clientConfig(home)),
      lambda: new LambdaClient(clientConfig(home)),
      sqs: new SQSClient(clientConfig(home)),
      dynamodb: new DynamoDBClient(clientConfig(home)),
    };
    const targets = parseReadinessTargets(process.env.DR_READINESS);
    const permissions = new IamPermissionSimulator(new IAMClient(clientConfig('us-east-1')));
    return { config, resources, world: new AwsReadinessWorld(readinessWorldOptions(config, resources, targets, clients, permissions)), stateStore: stateStore(), publisher: publisher() };
  });
}

/** Scheduled: evaluates readiness, returns a summary per target (visible in test invocations). */
export const handler = observed(async () => {
  const report = await runReadiness(lambdaDeps());
  return Object.fromEntries(report.targets.map((t) => [t.target, t.ready ? 'ready' : `not ready: ${t.failing.join(', ')}`]));
});
