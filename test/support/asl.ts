/**
 * The local state-machine runner lives in product code (`drctl drill` runs the synthesized
 * failover workflow with it); tests use it from here.
 */
export {
  FAKE_ACCOUNT,
  FAKE_REGION,
  runWorkflow,
  startWorkflow,
  taskTimedOut,
  workflowFromTemplate,
  type LocalExecution,
  type RunWorkflowOptions,
  type StepFn,
  type SynthesizedWorkflow,
  type TemplateJson,
  type WorkflowOutcome,
  type WorkflowRun,
} from '../../local/state-machine';
