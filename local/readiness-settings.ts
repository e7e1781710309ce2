import type { ControllerConfig } from '../domain/config';
import type { Resources } from '../edge/resources.schema';
import type { ReadinessTargets } from '../handlers/readiness/readiness-setup';
import { FAILOVER_STEPS } from '../handlers/steps/step-registry';
import type { DrillWorld } from './environment';
import type { DrillPlan } from './plan';

/**
 * The readiness function's three settings (its environment: `DR_CONFIG`, `DR_RESOURCES`,
 * `DR_READINESS`) for a provisioned local world, as `drctl readiness --settings <file>` reads them:
 * the resources carry the ids moto generated (hosted zone, health checks, state machine ARN, queue
 * URLs); the step functions are named as the synthesized stack names them.
 */
export interface ReadinessSettingsFile {
  readonly DR_CONFIG: ControllerConfig;
  readonly DR_RESOURCES: Resources;
  readonly DR_READINESS: ReadinessTargets;
}

export function readinessSettingsFile(plan: DrillPlan, world: DrillWorld): ReadinessSettingsFile {
  return {
    DR_CONFIG: plan.settings.config,
    DR_RESOURCES: world.resources,
    DR_READINESS: {
      stepFunctions: Object.fromEntries(FAILOVER_STEPS.map((step) => [step, plan.names.stepFunctionName(step)])),
      queueUrl: world.queueUrl,
      deadLetterQueueUrl: world.resources.deadLetterQueueUrl ?? world.queueUrl.replace(plan.names.queueName, plan.names.deadLetterQueueName),
    },
  };
}
