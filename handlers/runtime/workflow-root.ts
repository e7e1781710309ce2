import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsWorkflow } from '../../adapters/workflow/step-functions-workflow.adapter';
import type { Workflow } from '../../domain/ports/workflow.port';
import { clientConfig, ConfigurationError, once, settings } from './settings-root';

/**
 * The failover state machine, in the controller's region, built once per container. Needs
 * `DR_RESOURCES.stateMachineArn` (the decide handler's environment has it; the steps' does not).
 */
export function workflow(): Workflow {
  return once('workflow', () => {
    const { resources } = settings();
    if (!resources.stateMachineArn) {
      throw new ConfigurationError('DR_RESOURCES.stateMachineArn: not set; the function that starts failovers needs the failover state machine ARN');
    }
    return new StepFunctionsWorkflow({ client: new SFNClient(clientConfig(resources.controllerRegion, 'adapterRetries')), stateMachineArn: resources.stateMachineArn });
  });
}
