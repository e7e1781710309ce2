import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { executionArn } from '../../adapters/workflow/execution-arn';
import { InMemoryWorkflow } from '../../adapters/workflow/in-memory-workflow.twin';
import { StepFunctionsWorkflow } from '../../adapters/workflow/step-functions-workflow.adapter';
import { MOTO_ACCOUNT_ID, motoClientConfig, startMoto, type Moto } from '../support/moto';
import { workflowContract } from './workflow.contract';

workflowContract('InMemoryWorkflow twin', async () => {
  const twin = new InMemoryWorkflow();
  return {
    workflow: twin,
    executions: async () => twin.executions.map(({ name, status }) => ({ name, status })),
    finish: async (name) => twin.finish(name),
    finishedStatus: 'SUCCEEDED',
  };
});

describe('StepFunctionsWorkflow over the wire', () => {
  let moto: Moto;
  let sfn: SFNClient;
  let machines = 0;
  beforeAll(async () => {
    moto = await startMoto();
    sfn = new SFNClient(motoClientConfig(moto, 'us-east-2'));
  });
  afterAll(async () => {
    sfn.destroy();
    await moto.stop();
  });

  workflowContract('StepFunctionsWorkflow SDK adapter on moto_server', async () => {
    const { stateMachineArn = '' } = await sfn.send(
      new CreateStateMachineCommand({
        name: `dr-failover-${++machines}`,
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
        roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/dr-failover`,
      }),
    );
    return {
      workflow: new StepFunctionsWorkflow({ client: sfn, stateMachineArn, sleep: async () => {} }),
      executions: async () => {
        const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
        return executions.map(({ name = '', status = '' }) => ({ name, status }));
      },
      // moto keeps executions RUNNING until stopped: stopping is how one ends here.
      finish: async (name) => {
        await sfn.send(new StopExecutionCommand({ executionArn: executionArn(stateMachineArn, name) }));
      },
      finishedStatus: 'ABORTED',
    };
  });
});
