import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';

/** Id, at the stack's root, of the construct holding the provider's role and log group. */
const EXECUTION_ID = 'AwsCustomResourceExecution';

/**
 * The execution role and log group of the Lambda function CDK shares between every
 * `AwsCustomResource` of a stack (a singleton: the first `AwsCustomResource` creates it with its
 * `role` and `logGroup`, the others reuse it and add their own `policy` to that role).
 *
 * Without them CDK gives the function a role with the AWS managed `AWSLambdaBasicExecutionRole`,
 * which allows `logs:CreateLogGroup`, `logs:CreateLogStream` and `logs:PutLogEvents` on every log
 * group of the account (`Resource: *`). Here the function writes to one log group of its own
 * (one month's retention, deleted with the stack) and its role may write only there; each custom resource's `policy`
 * adds the calls it makes.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.custom_resources.AwsCustomResource.html (role, logGroup: shared by every AwsCustomResource of the stack)
 * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html (a function's custom log group)
 */
export class AwsCustomResourceExecution extends Construct {
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  /** The stack's one instance, created on first use. */
  static of(scope: IConstruct): AwsCustomResourceExecution {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(EXECUTION_ID) as AwsCustomResourceExecution | undefined) ?? new AwsCustomResourceExecution(stack, EXECUTION_ID);
  }

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `AwsCustomResource provider of ${Stack.of(this).stackName}: writes its own log group, makes the calls its custom resources allow`,
    });
    this.logGroup.grantWrite(this.role);
  }

  /** The `role` and `logGroup` props every `AwsCustomResource` of the stack must get. */
  get props(): Required<Pick<cr.AwsCustomResourceProps, 'role' | 'logGroup'>> {
    return { role: this.role, logGroup: this.logGroup };
  }
}

/**
 * `role` and `logGroup` for an `AwsCustomResource` in `scope`'s stack (see {@link AwsCustomResourceExecution}):
 * spread them into every `AwsCustomResource` of the stack, `new cr.AwsCustomResource(this, id, { ...awsCustomResourceExecution(this), … })`.
 */
export function awsCustomResourceExecution(scope: IConstruct): Required<Pick<cr.AwsCustomResourceProps, 'role' | 'logGroup'>> {
  return AwsCustomResourceExecution.of(scope).props;
}
