import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { ControllerConfig } from '../../domain/config';
import type { Resources } from '../../edge/resources.schema';
import { AlarmForwardingStack } from './alarm-forwarding.stack';
import { monitoredRegions } from './alarm-regions';
import { controllerNames } from './controller-names';
import { ControllerStack } from './controller.stack';
import type { DrControllerProps, ProtectedResources } from './dr-controller.construct';

/**
 * Everything needed to deploy the controller of one app in one environment. `R` is how complete the
 * resource identifiers are: what a user gives ({@link ProtectedResources}, enough for
 * {@link controllerStacks}) or, the default, the whole `DR_RESOURCES` with the controller's own
 * table and bus names (`controllerNames`), as the reference settings and the local AWS carry them.
 */
export interface ControllerSettings<R extends ProtectedResources = Resources> {
  /** Deployment environment (`dev`, `prod`, …). */
  readonly envName: string;
  /**
   * Account of every stack.
   * @default - the account of the deploying credentials (environment-agnostic account)
   */
  readonly account?: string;
  /** The validated controller configuration. */
  readonly config: ControllerConfig;
  /** What the controller acts on (see {@link DrControllerProps.resources}); `controllerRegion` places the controller stack. */
  readonly resources: R;
  /** Who may assume the operator role: at least one, named (see {@link DrControllerProps.operatorPrincipals}). */
  readonly operatorPrincipals: readonly iam.IPrincipal[];
  /**
   * Whether assuming the operator role requires MFA (see {@link DrControllerProps.requireOperatorMfa}).
   * @default true
   */
  readonly requireOperatorMfa?: boolean;
  /**
   * The most the blackout path may take, detection to traffic moved, in seconds (see {@link DrControllerProps.rtoTargetSeconds}).
   * @default 300
   */
  readonly rtoTargetSeconds?: number;
  /**
   * The workload's DNS timings, for the RTO computed at synth (see {@link DrControllerProps.traffic}).
   * @default - no RTO computed at synth
   */
  readonly traffic?: DrControllerProps['traffic'];
  /**
   * Minutes between readiness evaluations (see {@link DrControllerProps.readinessIntervalMinutes}).
   * @default 15
   */
  readonly readinessIntervalMinutes?: number;
}

/** The stacks of one controller deployment. */
export interface ControllerStacks {
  readonly controller: ControllerStack;
  /** One per monitored region other than the controller region (every protected region when the controller runs in a witness). */
  readonly forwarding: readonly AlarmForwardingStack[];
}

export { alarmRegionOf, HEALTH_CHECK_ALARM_REGION, monitoredRegions } from './alarm-regions';

/**
 * The controller stack in `resources.controllerRegion` and an alarm-forwarding stack (alarms and
 * heartbeat) in every other monitored region, with deterministic stack names (`<app>-<env>-controller`,
 * `<app>-<env>-alarm-forwarding-<region>`). Forwarding stacks deploy after the controller stack,
 * whose bus they target.
 *
 * The controller region may be a protected region (the standby: one forwarding stack fewer) or a
 * witness that serves no traffic: then every protected region gets a forwarding stack (us-east-1
 * too, for the health-check alarms Route 53 raises there) and the witness itself sends no heartbeat.
 */
export function controllerStacks(scope: Construct, settings: ControllerSettings<ProtectedResources>): ControllerStacks {
  const { envName, account, config, resources } = settings;
  const names = controllerNames(config.app, envName);
  const controllerRegion = resources.controllerRegion;
  const controllerId = names.controllerStackName;
  const controller = new ControllerStack(scope, controllerId, {
    stackName: controllerId,
    description: `DR controller of ${config.app} (${envName}): bus, queue, decide Lambda, state, failover workflow`,
    env: { account, region: controllerRegion },
    // The workload's Route 53 ids are generated in us-east-1; the controller reads them across regions.
    crossRegionReferences: true,
    envName,
    config,
    resources,
    operatorPrincipals: settings.operatorPrincipals,
    ...(settings.requireOperatorMfa !== undefined ? { requireOperatorMfa: settings.requireOperatorMfa } : {}),
    ...(settings.rtoTargetSeconds !== undefined ? { rtoTargetSeconds: settings.rtoTargetSeconds } : {}),
    ...(settings.traffic !== undefined ? { traffic: settings.traffic } : {}),
    ...(settings.readinessIntervalMinutes !== undefined ? { readinessIntervalMinutes: settings.readinessIntervalMinutes } : {}),
  });
  const forwarding = monitoredRegions(config)
    .filter((region) => region !== controllerRegion)
    .map((region) => {
      const id = names.alarmForwardingStackName(region);
      const stack = new AlarmForwardingStack(scope, id, {
        stackName: id,
        description: `Forwards ${config.app} (${envName}) alarms and heartbeats of ${region} to the controller bus in ${controllerRegion}`,
        env: { account, region },
        envName,
        config,
        controllerRegion,
        controllerBusName: names.busName,
      });
      stack.addStackDependency(controller, 'alarms are forwarded to the controller bus');
      return stack;
    });
  return { controller, forwarding };
}
