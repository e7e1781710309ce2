import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addProtectedPayments } from './protected-payments';

/**
 * The CDK app (`cdk.json` runs it with `npx tsx infra/app.ts`): the protected reference payment
 * workload in us-east-1 and us-east-2 and its DR controller (in us-east-2), in the environment named by
 * context `env` (`npx cdk synth -c env=prod`; default `dev`). The controller's signals are the
 * workload's alarms and its targets the workload's global cluster, records and parameters
 * (`infra/protected-payments.ts`). The account is the deploying credentials' (`CDK_DEFAULT_ACCOUNT`);
 * without credentials, as in an offline `cdk synth`, the templates stay account-agnostic.
 *
 * cdk-nag's AwsSolutions pack is registered as a policy-validation plugin, so `cdk synth` fails on
 * any finding not acknowledged with a reason next to the resource.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
const app = new App();
const envName = String(app.node.tryGetContext('env') ?? 'dev');
addProtectedPayments(app, envName, process.env.CDK_DEFAULT_ACCOUNT);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
