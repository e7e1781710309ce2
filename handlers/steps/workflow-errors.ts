/**
 * Errors the failover steps raise on purpose. Their `name` reaches Step Functions as the Lambda
 * `errorType`, i.e. the state's error name: none of them is in a Retry (retrying cannot change the
 * answer), so the `States.ALL` Catch sends them to `report-halt`, whose Fail state carries the
 * message to the engine.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 */

/** The failover would lose data and neither the policy nor the operator allows that. */
export class DataLossNotPermitted extends Error {
  override readonly name = 'DataLossNotPermitted';
}

/** The target cannot take over (no cluster there, or its cluster cannot be promoted now). */
export class TargetNotReady extends Error {
  override readonly name = 'TargetNotReady';
}

/** The execution input or a step's state is not what the workflow writes: a bug or a hand-made start. */
export class InvalidWorkflowInput extends Error {
  override readonly name = 'InvalidWorkflowInput';
}
