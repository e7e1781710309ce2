import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { controllerStacks } from './controller/controller-stacks';
import { referenceSettings } from './controller/reference-settings';

/**
 * The CDK app (`cdk.json` runs it with `npx tsx infra/app.ts`): the reference payments workload's
 * controller in the environment named by context `env` (`npx cdk synth -c env=prod`; default `dev`).
 * The account is the deploying credentials' (`CDK_DEFAULT_ACCOUNT`); without credentials, as in an
 * offline `cdk synth`, the templates stay account-agnostic.
 *
 * cdk-nag's AwsSolutions pack is registered as a policy-validation plugin, so `cdk synth` fails on
 * any finding not acknowledged with a reason next to the resource.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
const app = new App();
const envName = String(app.node.tryGetContext('env') ?? 'dev');
controllerStacks(app, referenceSettings(envName, process.env.CDK_DEFAULT_ACCOUNT));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
