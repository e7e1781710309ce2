import { execFileSync } from 'node:child_process';
import { basename } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Template checks shared by the infra tests: cdk-nag's AwsSolutions pack on the construct tree and
 * cfn-lint on the synthesized templates. Both return findings as readable strings, so a test reads
 * `expect(runCdkNag(app)).toEqual([])` and a failure prints exactly what to fix.
 */

/**
 * Run cdk-nag's AwsSolutions rules over `app` and return every finding nobody acknowledged, as
 * `AwsSolutions-IAM5[Resource::*] at Stack/Fn/ServiceRole/DefaultPolicy/Resource: <why>`.
 *
 * cdk-nag 3 is a CDK policy-validation plugin: `Validations.of(app).addPlugins(new
 * AwsSolutionsChecks(app))` makes `app.synth()` print a report and throw on any finding.
 * Tests need the findings as data instead, so this calls the pack's own `validateScope`, which
 * walks the same tree and honours the same `Validations.of(scope).acknowledge({ id, reason })`
 * acknowledgements (on the resource or any ancestor). The app is synthesized first so aspects and
 * late-bound values are in their final state.
 *
 * @see https://github.com/cdklabs/cdk-nag/blob/main/MIGRATION.md
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
export function runCdkNag(app: App): string[] {
  app.synth();
  // cdk-nag's EVB1 rule reads CfnEventBusPolicy#principal, a deprecated property: keep output quiet.
  const deprecations = process.env.JSII_DEPRECATED;
  process.env.JSII_DEPRECATED = 'quiet';
  let report: ReturnType<AwsSolutionsChecks['validateScope']>;
  try {
    report = new AwsSolutionsChecks(app).validateScope(app);
  } finally {
    if (deprecations === undefined) delete process.env.JSII_DEPRECATED;
    else process.env.JSII_DEPRECATED = deprecations;
  }
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.ruleName} at ${resource.constructPath ?? '?'}: ${violation.description}`,
    ),
  );
}

/**
 * cfn-lint rules ignored on CDK output, each with the reason. Add a rule here only with a reason
 * that holds for every template CDK synthesizes, never to silence one resource.
 */
export const CFN_LINT_IGNORED_RULES: Readonly<Record<string, string>> = {
  W3005:
    'redundant DependsOn: CDK L2 constructs add explicit DependsOn (e.g. a Lambda function on its role\'s ' +
    'default policy, an event source mapping on the policy that grants the queue) alongside Ref/GetAtt; ' +
    'CloudFormation accepts the duplicate and the ordering is exactly what CDK intends.',
};

/** One cfn-lint finding, as `cfn-lint --format json` prints it (the fields used here). */
interface CfnLintMatch {
  readonly Filename: string | null;
  readonly Level: string;
  readonly Message: string;
  readonly Location: { readonly Start: { readonly LineNumber: number }; readonly Path: readonly (string | number)[] | null };
  readonly Rule: { readonly Id: string };
}

/** Options for {@link runCfnLint}. */
export interface CfnLintOptions {
  /**
   * Regions to validate the templates against (region-specific allowed values, e.g. runtimes).
   * @default - cfn-lint's default, us-east-1
   */
  readonly regions?: readonly string[];
}

/**
 * Run `cfn-lint` on synthesized `*.template.json` files and return its findings, minus
 * {@link CFN_LINT_IGNORED_RULES}, as `Stack.template.json:42 E3002 [Error] <message> (Resources/...)`.
 * A template cfn-lint cannot read is a finding (E0000/E0003); throws when cfn-lint itself cannot
 * run (not installed, bad arguments).
 *
 * @see https://github.com/aws-cloudformation/cfn-lint#command-line
 */
export function runCfnLint(templatePaths: readonly string[], options: CfnLintOptions = {}): string[] {
  if (templatePaths.length === 0) throw new Error('runCfnLint: no templates given; pass the synthesized *.template.json paths');
  const args = ['--format', 'json', '--non-zero-exit-code', 'none', '--ignore-checks', ...Object.keys(CFN_LINT_IGNORED_RULES)];
  if (options.regions && options.regions.length > 0) args.push('--regions', ...options.regions);
  let stdout: string;
  try {
    stdout = execFileSync('cfn-lint', [...args, '--', ...templatePaths], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`cfn-lint could not run (${(error as Error).message.split('\n')[0]}); install it with: pip install cfn-lint\n${stderr}`, { cause: error });
  }
  const matches = JSON.parse(stdout.trim() === '' ? '[]' : stdout) as CfnLintMatch[];
  return matches.map(
    (match) =>
      `${basename(match.Filename ?? 'cfn-lint')}:${match.Location.Start.LineNumber} ${match.Rule.Id} [${match.Level}] ${match.Message}` +
      (match.Location.Path ? ` (${match.Location.Path.join('/')})` : ''),
  );
}

/**
 * An App for template tests that synthesizes in well under a second instead of ~7 s:
 * - CDK's built-in CloudFormation validation is off (it takes ~6 s per synth); {@link runCfnLint}
 *   checks the same templates more thoroughly;
 * - asset bundling is skipped (`aws:cdk:bundling-stacks` empty): Lambda code is a placeholder asset,
 *   while handler, runtime and every other property are as deployed. `npx cdk synth` bundles for real.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.App.html
 */
export function testApp(props: AppProps = {}): App {
  return new App({ builtinCloudFormationValidation: false, ...props, context: { 'aws:cdk:bundling-stacks': [], ...props.context } });
}

/** Synthesize `app` and return the path of every stack's template, for {@link runCfnLint}. */
export function templatePathsOf(app: App): string[] {
  return app.synth().stacksRecursively.map((stack) => stack.templateFullPath);
}
