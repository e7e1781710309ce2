import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsWorkflow } from '../../adapters/workflow/step-functions-workflow.adapter';
import type { Workflow } from '../../domain/ports/workflow.port';
import type { Resources } from '../../edge/resources.schema';
import { ConfigurationError, controllerRegionClient, once, settings, type AdapterTuning, type AwsTarget } from './settings-root';

/**
 * The failover state machine, in the controller's region. Needs `stateMachineArn` (the decide
 * handler's `DR_RESOURCES` has it; the steps' does not). The adapter retries, so the client makes one attempt.
 */
export function workflowAdapter(ids: Pick<Resources, 'controllerRegion' | 'stateMachineArn'>, aws: AwsTarget = {}, tuning: AdapterTuning = {}): Workflow {
  if (!ids.stateMachineArn) {
    throw new ConfigurationError('DR_RESOURCES.stateMachineArn: not set; the function that starts failovers needs the failover state machine ARN');
  }
  const client = controllerRegionClient(ids, aws, 'adapterRetries', (c) => new SFNClient(c));
  return new StepFunctionsWorkflow({ client, stateMachineArn: ids.stateMachineArn, ...tuning });
}

/** The workflow of this function, built once per container. */
export function workflow(): Workflow {
  return once('workflow', () => workflowAdapter(settings().resources));
}
