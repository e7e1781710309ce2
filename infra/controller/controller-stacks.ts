import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ControllerConfig, Region } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import { AlarmForwardingStack } from './alarm-forwarding.stack';
import { controllerNames } from './controller-names';
import { ControllerStack } from './controller.stack';

/** Everything needed to deploy the controller of one app in one environment. */
export interface ControllerSettings {
  /** Deployment environment (`dev`, `prod`, …). */
  readonly envName: string;
  /**
   * Account of every stack.
   * @default - the account of the deploying credentials (environment-agnostic account)
   */
  readonly account?: string;
  /** The validated controller configuration. */
  readonly config: ControllerConfig;
  /** The resource identifiers (`DR_RESOURCES`); `controllerRegion` places the controller stack. */
  readonly resources: Resources;
  /**
   * ARN of the principal that may assume the operator role.
   * @default - the account root
   */
  readonly operatorPrincipalArn?: string;
}

/** The stacks of one controller deployment. */
export interface ControllerStacks {
  readonly controller: ControllerStack;
  /** One per monitored region other than the controller region. */
  readonly forwarding: readonly AlarmForwardingStack[];
}

/**
 * Route 53 publishes health-check metrics, and so raises health-check alarms, only in us-east-1.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export const HEALTH_CHECK_ALARM_REGION: Region = 'us-east-1';

/** Regions where configured alarms can fire: the protected regions, plus us-east-1 for health checks. */
export function monitoredRegions(config: ControllerConfig): Region[] {
  const regions = new Set(config.regions);
  if (config.signals.some((signal) => signal.kind === 'health-check')) regions.add(HEALTH_CHECK_ALARM_REGION);
  return [...regions];
}

/**
 * The controller stack in `resources.controllerRegion` and an alarm-forwarding stack in every other
 * monitored region, with deterministic stack names (`<app>-<env>-controller`,
 * `<app>-<env>-alarm-forwarding-<region>`). Forwarding stacks deploy after the controller stack,
 * whose bus they target.
 */
export function controllerStacks(scope: Construct, settings: ControllerSettings): ControllerStacks {
  const { envName, account, config, resources } = settings;
  const names = controllerNames(config.app, envName);
  const controllerRegion = resources.controllerRegion;
  const controllerId = `${names.prefix}-controller`;
  const controller = new ControllerStack(scope, controllerId, {
    stackName: controllerId,
    description: `DR controller of ${config.app} (${envName}): bus, queue, decide Lambda, state, failover workflow`,
    env: { account, region: controllerRegion },
    // The workload's Route 53 ids are generated in us-east-1; the controller reads them across regions.
    crossRegionReferences: true,
    envName,
    config,
    resources,
    operatorPrincipal: settings.operatorPrincipalArn ? new iam.ArnPrincipal(settings.operatorPrincipalArn) : undefined,
  });
  const forwarding = monitoredRegions(config)
    .filter((region) => region !== controllerRegion)
    .map((region) => {
      const id = `${names.prefix}-alarm-forwarding-${region}`;
      const stack = new AlarmForwardingStack(scope, id, {
        stackName: id,
        description: `Forwards ${config.app} (${envName}) alarms of ${region} to the controller bus in ${controllerRegion}`,
        env: { account, region },
        envName,
        config,
        controllerRegion,
        controllerBusName: resources.controllerBusName,
      });
      stack.addStackDependency(controller, 'alarms are forwarded to the controller bus');
      return stack;
    });
  return { controller, forwarding };
}
