import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { addOrdersController, ACCOUNT, CONTROLLER_REGION, ordersConfig, REGIONS } from '../../examples/bring-your-own-app';
import { parseConfig } from '../../edge/config.schema';
import { compactConfig } from '../../infra/controller/lambda-environment';
import { runCdkNag, runCfnLint, templatePathsOf, testApp } from '../support/template-checks';

// examples/bring-your-own-app.ts: the controller protecting an app this repository knows nothing
// about ("orders", eu-west-1 → eu-central-1 → eu-west-2), built from DrController's public props only.
const ROOT = join(__dirname, '..', '..');
const app = testApp();
const stacks = addOrdersController(app);
const controller = Template.fromStack(stacks.controller);

type Properties = Record<string, unknown>;
const propertiesOf = (template: Template, type: string, props: Properties = {}) =>
  Object.values(template.findResources(type, { Properties: props })).map((resource) => (resource as { Properties: Properties }).Properties);

/** The relative imports of a TypeScript file, as written. */
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) => match[1]!);

describe('bring your own app (examples/bring-your-own-app.ts)', () => {
  it('uses only the controller’s public surface: nothing of the reference payment workload', () => {
    const imports = importsOf(join(ROOT, 'examples', 'bring-your-own-app.ts'));
    expect(imports.filter((path) => /infra\/(workload|protected-payments)|handlers\/payments/.test(path))).toEqual([]);
    expect(imports).toContain('../infra/controller/controller-stacks');
  });

  it('runs the controller in the first standby, eu-central-1, and forwards alarms and heartbeats from every other region they live in', () => {
    expect(stacks.controller.region).toBe(CONTROLLER_REGION);
    expect(stacks.controller.stackName).toBe('orders-prod-controller');
    // The primary and the last standby send heartbeats and own alarms; Route 53's health-check alarms live in us-east-1.
    expect(stacks.forwarding.map((stack) => stack.region).sort()).toEqual(['eu-west-1', 'eu-west-2', 'us-east-1']);
    for (const stack of stacks.forwarding) expect(stack.dependencies).toContain(stacks.controller);
  });

  it('gives the app’s own global cluster, records and health checks to every controller function', () => {
    const decide = propertiesOf(controller, 'AWS::Lambda::Function', { FunctionName: 'orders-prod-decide' })[0]!;
    const variables = (decide.Environment as { Variables: Record<string, unknown> }).Variables;
    const resources = JSON.stringify(variables.DR_RESOURCES);
    for (const region of REGIONS) expect(resources).toContain(`arn:aws:rds:${region}:${ACCOUNT}:cluster:orders-prod-`);
    expect(resources).toContain('orders-prod-global');
    expect(resources).toContain('Z0ORDERSEXAMPLE1');
    expect(resources).toContain('orders-prod-controller-state');
  });

  it('passes the configuration through the Lambda environment unchanged, three regions in preference order', () => {
    const config = ordersConfig();
    expect(config.regions).toEqual(['eu-west-1', 'eu-central-1', 'eu-west-2']);
    expect(parseConfig(JSON.parse(JSON.stringify(compactConfig(config))))).toEqual({ ok: true, config });
  });

  it('evaluates readiness on schedule and routes its results to the controller queue', () => {
    expect(propertiesOf(controller, 'AWS::Events::Rule', { Name: 'orders-prod-readiness' })[0]!.ScheduleExpression).toBe('rate(15 minutes)');
    const [results] = propertiesOf(controller, 'AWS::Events::Rule', { Name: 'orders-prod-readiness-results' });
    expect(results!.EventPattern).toEqual({ source: ['dr.controller'], 'detail-type': ['DR Readiness'] });
    expect(results!.Targets).toEqual([expect.objectContaining({ SqsParameters: { MessageGroupId: 'orders' } })]);
    for (const region of REGIONS) expect(propertiesOf(controller, 'AWS::CloudWatch::Alarm', { AlarmName: `orders-prod-readiness-${region}` })).toHaveLength(1);
  });

  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(runCdkNag(app)).toEqual([]);
  });

  it('passes cfn-lint in the regions it deploys to', () => {
    expect(runCfnLint(templatePathsOf(app), { regions: [...REGIONS, 'us-east-1'] })).toEqual([]);
  });
});

describe('a controller that stands alone', () => {
  it('imports nothing of the reference workload from infra/controller', () => {
    const dir = join(ROOT, 'infra', 'controller');
    const offending = readdirSync(dir)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) => importsOf(join(dir, file)).filter((path) => /^\.\.\/(workload|protected-payments|app)\b/.test(path)).map((path) => `${file}: ${path}`));
    expect(offending).toEqual([]);
  });
});
