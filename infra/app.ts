import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addProtectedPayments, CONTROLLER_REGION_CONTEXT_KEY, OPERATORS_CONTEXT_KEY, REFERENCE_CONTROLLER_REGION, referenceOperators } from './protected-payments';

/**
 * The CDK app (`cdk.json` runs it with `npx tsx infra/app.ts`): the protected reference payment
 * workload in us-east-1 and us-east-2 and its DR controller, in the environment named by
 * context `env` (`npx cdk synth -c env=prod`; default `dev`). The controller's signals are the
 * workload's alarms and its targets the workload's global cluster, records and parameters
 * (`infra/protected-payments.ts`). The account is the deploying credentials' (`CDK_DEFAULT_ACCOUNT`);
 * without credentials, as in an offline `cdk synth`, the templates stay account-agnostic.
 *
 * The operator role trusts the principals named by context `operators` (comma-separated IAM ARNs:
 * `npx cdk synth -c operators=arn:aws:iam::123456789012:role/DrOperators`), with MFA; without it,
 * the example principal is the account root, with MFA (`referenceOperators`).
 *
 * The controller runs in the standby region us-east-2 unless context `controllerRegion` names
 * another: `npx cdk synth -c controllerRegion=us-west-2` runs it in a witness region that serves no
 * traffic, with an alarm-forwarding stack in each protected region (README "Where the controller
 * runs: standby or witness").
 *
 * cdk-nag's AwsSolutions pack is registered as a policy-validation plugin, so `cdk synth` fails on
 * any finding not acknowledged with a reason next to the resource.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
const app = new App();
const envName = String(app.node.tryGetContext('env') ?? 'dev');
const controllerRegion = String(app.node.tryGetContext(CONTROLLER_REGION_CONTEXT_KEY) ?? REFERENCE_CONTROLLER_REGION);
addProtectedPayments(app, envName, process.env.CDK_DEFAULT_ACCOUNT, referenceOperators(app.node.tryGetContext(OPERATORS_CONTEXT_KEY)), controllerRegion);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
