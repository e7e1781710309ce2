import { PermanentAdapterError } from '../errors';

const STATE_MACHINE_ARN = /^arn:([\w-]+):states:([\w-]+):(\d{12}):stateMachine:([^:\s]+)$/;

/**
 * ARN of the execution `name` of a standard state machine:
 * `arn:<partition>:states:<region>:<account>:execution:<machine-name>:<name>`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html#awsstepfunctions-resources-for-iam-policies
 */
export function executionArn(stateMachineArn: string, name: string): string {
  const match = STATE_MACHINE_ARN.exec(stateMachineArn);
  if (!match) {
    throw new PermanentAdapterError(
      `stateMachineArn must look like arn:aws:states:<region>:<account>:stateMachine:<name> (no version or alias suffix), got "${stateMachineArn}"`,
    );
  }
  const [, partition, region, account, machine] = match;
  return `arn:${partition}:states:${region}:${account}:execution:${machine}:${name}`;
}
