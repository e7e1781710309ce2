import '../support/with-resolvers';
import { Template } from 'aws-cdk-lib/assertions';
import { addProtectedPayments } from '../../infra/protected-payments';
import { runWorkflow, workflowFromTemplate, type TemplateJson } from '../support/asl';
import { testApp } from '../support/template-checks';
import { createWorld, failoverRequest, STANDBY, synthWorkflow } from './workflow-fixtures';

/**
 * The workflow tests run a stack holding only FailoverWorkflow (fast to synthesize, props
 * variable). This proves that what they exercise is what infra/app.ts deploys: the controller
 * stack's own definition has the same states and runs the same happy path.
 */
describe('the deployed failover definition (controller stack of infra/app.ts)', () => {
  const app = testApp();
  const { controller } = addProtectedPayments(app, 'dev');
  const deployed = workflowFromTemplate(Template.fromStack(controller.controller).toJSON() as TemplateJson);

  it('has the same states, transitions and error handling as the definition the workflow tests run', () => {
    const tested = workflowFromTemplate(synthWorkflow().template);
    const shape = (w: typeof deployed) =>
      JSON.stringify(w.definition, (key, value: unknown) => (key === 'Resource' || key === 'FunctionName' ? '<fn>' : value));
    expect(Object.keys(deployed.definition.States).length).toBeGreaterThan(10);
    expect(shape(deployed)).toEqual(shape(tested));
    expect(Object.values(deployed.taskSteps).sort()).toEqual(Object.values(tested.taskSteps).sort());
  });

  it('switches over on the happy path with the real steps', async () => {
    const world = createWorld({ primaryHealth: 'healthy', lagSeconds: 1 });
    const run = await runWorkflow(deployed, failoverRequest(), world.steps);
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(world.traffic.weightsNow()[STANDBY]).toBe(100);
  });
});
