import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { Context, SQSRecord } from 'aws-lambda';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { InMemoryDeadLetters } from '../adapters/dead-letters/in-memory-dead-letters.twin';
import { InMemoryPublisher } from '../adapters/publisher/in-memory-publisher.twin';
import { InMemoryStateStore } from '../adapters/state-store/in-memory-state-store.twin';
import { InMemoryWorkflow } from '../adapters/workflow/in-memory-workflow.twin';
import { alarmStateChange, envelopeTime, executionStatusChange, scheduledTick, type RawEvent } from '../local/aws-events';
import { runWorkflow, workflowFromTemplate } from '../local/state-machine';
import type { DomainEvent } from '../domain/events';
import { processBatch } from '../handlers/decide.handler';
import type { DecideDeps } from '../handlers/decide/decide-record';
import { loadSettings } from '../handlers/runtime/settings-root';
import { FAILOVER_STEPS } from '../handlers/steps/step-names';
import { DECIDE_BUNDLING, DECIDE_RUNTIME } from '../infra/controller/dr-controller.construct';
import { STEP_BUNDLING, STEP_RUNTIME } from '../infra/controller/failover-workflow.construct';
import { protectedPaymentsConfig } from '../infra/protected-payments';
import { PAYMENT_BUNDLING, PAYMENT_FUNCTIONS, PAYMENT_RUNTIME } from '../infra/workload/payment-functions.construct';
import { createWorld, failoverRequest, RESOURCES, synthWorkflow } from '../test/workflow/workflow-fixtures';
import { benchConfig, realisticStream } from './stream';

const ROOT = resolve(__dirname, '..');
const ACCOUNT = '123456789012';
const CONTROLLER_REGION = 'us-east-2';
const STATE_MACHINE_ARN = `arn:aws:states:${CONTROLLER_REGION}:${ACCOUNT}:stateMachine:payments-dev-failover`;

/** One deployed Lambda function: its entry, the construct's own bundling options and runtime, and its environment. */
interface LambdaUnderTest {
  readonly name: string;
  readonly entry: string;
  readonly bundling: BundlingOptions;
  readonly runtime: Runtime;
  readonly environment: Readonly<Record<string, string>>;
}

export interface BundleResult {
  readonly name: string;
  readonly entry: string;
  /** `index.js` as NodejsFunction writes it (the source map, if any, is a separate file). */
  readonly bytes: number;
  /** Median wall time of `node -e "require(bundle)"` minus the median of `node -e 0` runs interleaved with them. */
  readonly initMs: number;
  /** That `node -e 0` median. */
  readonly baselineMs: number;
  /** Where the AWS SDK comes from: bundled in, or the copy the Lambda runtime provides. */
  readonly sdk: 'bundled' | 'from runtime';
  /** Packages the bundle leaves to the runtime (beyond Node.js built-ins). */
  readonly runtimePackages: readonly string[];
}

export interface LatencyResult {
  readonly events: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly deadLettered: number;
  readonly batchItemFailures: number;
  readonly decisions: Readonly<Record<string, number>>;
}

export interface TransitionsResult {
  readonly transitions: number;
  readonly path: readonly string[];
  readonly retries: number;
}

export interface HandlersBench {
  /** Median of every `node -e 0` run. */
  readonly baselineMs: number;
  readonly bundles: readonly BundleResult[];
  readonly latency: LatencyResult;
  readonly happyPath: TransitionsResult;
}

/** Samples per timing; the median is reported. */
const RUNS = 5;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Nearest-rank percentile of sorted samples. */
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/**
 * The esbuild options NodejsFunction derives from `bundling` and `runtime` (aws-cdk-lib 2.276,
 * `Bundling.buildEsbuildArgs`): `--bundle --platform=node`, the target from the runtime unless
 * given, `index.js` (CJS) or `index.mjs` (ESM), and each option mapped to its flag. Options that
 * change the output and are not mapped here are refused, so the bench never measures something
 * other than what is deployed.
 *
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda_nodejs.BundlingOptions.html
 */
function esbuildOptionsOf(bundling: BundlingOptions, runtime: Runtime, entry: string, outdir: string): BuildOptions {
  const mapped = new Set(['minify', 'sourceMap', 'sourceMapMode', 'sourcesContent', 'target', 'format', 'mainFields', 'externalModules', 'loader', 'define', 'keepNames', 'tsconfig', 'banner', 'footer', 'inject', 'logLevel', 'metafile']);
  const unmapped = Object.keys(bundling).filter((key) => !mapped.has(key));
  if (unmapped.length > 0) throw new Error(`bench: bundling option(s) ${unmapped.join(', ')} are not mapped to esbuild; teach esbuildOptionsOf() them so the bench builds what CDK builds`);
  if (bundling.externalModules === undefined) {
    throw new Error(`bench: ${entry}: set bundling.externalModules explicitly; CDK's default depends on the runtime and feature flags, so the bench cannot tell what is bundled`);
  }
  const version = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  if (bundling.target === undefined && version === undefined) throw new Error(`bench: cannot derive an esbuild target from runtime ${runtime.name}; set bundling.target`);
  const esm = bundling.format === 'esm';
  const sourcemap = bundling.sourceMapMode ?? (bundling.sourceMap ? 'default' : undefined);
  return {
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    target: bundling.target ?? `node${version}`,
    ...(bundling.format !== undefined ? { format: bundling.format } : {}),
    outfile: join(outdir, esm ? 'index.mjs' : 'index.js'),
    minify: bundling.minify ?? false,
    ...(sourcemap !== undefined ? { sourcemap: sourcemap === 'default' ? true : sourcemap } : {}),
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...bundling.externalModules],
    ...(bundling.loader ? { loader: bundling.loader as BuildOptions['loader'] } : {}),
    ...(bundling.define ? { define: bundling.define } : {}),
    keepNames: bundling.keepNames ?? false,
    ...(bundling.tsconfig ? { tsconfig: join(ROOT, bundling.tsconfig) } : {}),
    ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
    ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    ...(bundling.inject ? { inject: [...bundling.inject] } : {}),
    metafile: true,
    logLevel: 'error',
  };
}

/** The package a bare import names (`@scope/name` or `name`). */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** What the Lambda Node.js runtime provides besides the bundle: Node.js built-ins and the AWS SDK v3 (with Smithy). */
function providedByRuntime(pkg: string): boolean {
  return pkg.startsWith('node:') || builtinModules.includes(pkg) || /^@(aws-sdk|smithy)\//.test(pkg);
}

/** Packages a bundle imports at run time instead of containing them; anything the runtime lacks is an error. */
function runtimePackagesOf(metafile: Metafile, name: string): string[] {
  const imported = Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => packageOf(i.path)));
  const packages = [...new Set(imported)].filter((pkg) => !pkg.startsWith('node:') && !builtinModules.includes(pkg)).sort();
  const missing = packages.filter((pkg) => !providedByRuntime(pkg));
  if (missing.length > 0) throw new Error(`bench: the ${name} bundle leaves ${missing.join(', ')} out, which the Lambda runtime does not provide; bundle it`);
  return packages;
}

/** Wall time of one `node` process, which must exit 0. */
function nodeProcessMs(args: readonly string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 });
  const ms = performance.now() - start;
  if (run.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited with ${run.status ?? run.signal}: ${(run.stderr || run.stdout).slice(-2000)}`);
  return ms;
}

/**
 * A Lambda-like process environment: only what Lambda sets (region, function name, the function's
 * variables) plus NODE_PATH, which on Lambda holds the runtime's modules (the AWS SDK) and here
 * this project's node_modules, from which only the packages {@link providedByRuntime} may load.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html#nodejs-package-searchpath
 */
function lambdaProcessEnv(fn: LambdaUnderTest): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_LAMBDA_FUNCTION_NAME: fn.name.replace(/\W+/g, '-'),
    NODE_PATH: join(ROOT, 'node_modules'),
    ...fn.environment,
    ...(fn.bundling.sourceMap || fn.bundling.sourceMapMode ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

/** Node code that loads a bundle as Lambda's runtime does at init and checks it exports `handler`. */
function loaderOf(file: string): string[] {
  const check = `if (typeof m.handler !== 'function') { console.error('no exported handler function'); process.exit(2); }`;
  return file.endsWith('.mjs')
    ? ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(file).href)}); ${check}`]
    : ['-e', `const m = require(${JSON.stringify(file)}); ${check}`];
}

/** The environments of the deployed functions, valid for the reference app (checked with the handlers' own loader). */
function lambdasUnderTest(): LambdaUnderTest[] {
  const resources = {
    ...RESOURCES,
    stateMachineArn: STATE_MACHINE_ARN,
    deadLetterQueueUrl: `https://sqs.${CONTROLLER_REGION}.amazonaws.com/${ACCOUNT}/payments-dev-controller-dlq.fifo`,
  };
  const controller = {
    AWS_REGION: CONTROLLER_REGION,
    DR_CONFIG: JSON.stringify(protectedPaymentsConfig('dev')),
    DR_RESOURCES: JSON.stringify(resources),
    POWERTOOLS_SERVICE_NAME: 'dr-controller',
    POWERTOOLS_METRICS_NAMESPACE: 'DrController',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  loadSettings(controller);
  const payments = (name: string) => ({
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_METRICS_NAMESPACE: 'payments-dev',
    PARAMETER_PREFIX: '/payments/dev',
    SESSIONS_TABLE: 'payments-dev-sessions',
    TOPIC_ARN: `arn:aws:sns:us-east-1:${ACCOUNT}:payments-dev-us-east-1-notifications`,
    DB_ENDPOINT: 'payments-dev-us-east-1.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com',
    DB_PORT: '5432',
  });
  return [
    { name: 'decide', entry: 'handlers/decide.handler.ts', bundling: DECIDE_BUNDLING, runtime: DECIDE_RUNTIME, environment: controller },
    ...FAILOVER_STEPS.map((step) => ({
      name: `step ${step}`,
      entry: `handlers/steps/${step}.handler.ts`,
      bundling: STEP_BUNDLING,
      runtime: STEP_RUNTIME,
      environment: { ...controller, DR_STEP: step },
    })),
    ...PAYMENT_FUNCTIONS.map((name) => ({
      name: `payments ${name}`,
      entry: `handlers/payments/${name}.handler.ts`,
      bundling: PAYMENT_BUNDLING,
      runtime: PAYMENT_RUNTIME,
      environment: payments(name),
    })),
  ];
}

/**
 * Bundle every Lambda function with its construct's options; size of `index.js`, and module init:
 * the median wall time of 5 fresh `node` processes that require the bundle, minus the median of
 * 5 `node -e 0` runs (process start-up, not this code's init) taken in turn with them, so a change
 * in machine load between bundles does not skew the difference.
 */
async function measureBundles(): Promise<{ baselineMs: number; bundles: BundleResult[] }> {
  const outRoot = mkdtempSync(join(tmpdir(), 'dr-bench-bundles-'));
  try {
    const lambdas = lambdasUnderTest();
    const built = [];
    for (const [i, fn] of lambdas.entries()) {
      const options = esbuildOptionsOf(fn.bundling, fn.runtime, fn.entry, join(outRoot, String(i)));
      const result = await build(options);
      built.push({ fn, file: options.outfile!, runtimePackages: runtimePackagesOf(result.metafile!, fn.name) });
    }
    const baselines: number[] = [];
    const bundles = built.map(({ fn, file, runtimePackages }) => {
      const env = lambdaProcessEnv(fn);
      const bare: number[] = [];
      const loads: number[] = [];
      for (let run = 0; run < RUNS; run++) {
        bare.push(nodeProcessMs(['-e', '0'], { PATH: process.env.PATH }));
        loads.push(nodeProcessMs(loaderOf(file), env));
      }
      baselines.push(...bare);
      return {
        name: fn.name,
        entry: fn.entry,
        bytes: statSync(file).size,
        initMs: median(loads) - median(bare),
        baselineMs: median(bare),
        sdk: fn.bundling.externalModules?.some((m) => m.startsWith('@aws-sdk/')) ? ('from runtime' as const) : ('bundled' as const),
        runtimePackages,
      };
    });
    return { baselineMs: median(baselines), bundles };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

/** The raw EventBridge event AWS would deliver for a stream event (documented formats, named fields changed). */
function rawEventOf(e: DomainEvent): RawEvent {
  switch (e.type) {
    case 'signal-changed': {
      const signal = benchConfig.signals.find((s) => s.alarmName === e.alarmName);
      if (!signal) throw new Error(`bench: the stream names alarm ${e.alarmName}, which benchConfig does not watch`);
      return alarmStateChange({ id: e.eventId, alarmName: e.alarmName, state: e.state, at: e.at, region: signal.region, account: ACCOUNT });
    }
    case 'tick':
      return scheduledTick({ id: e.eventId, at: e.at, region: CONTROLLER_REGION, account: ACCOUNT, ruleArn: `arn:aws:events:${CONTROLLER_REGION}:${ACCOUNT}:rule/payments-dev-tick` });
    case 'override':
      return {
        version: '0',
        id: e.eventId,
        'detail-type': 'DR Override',
        source: 'dr.operator',
        account: ACCOUNT,
        time: envelopeTime(e.at),
        region: CONTROLLER_REGION,
        resources: [],
        detail: { action: e.action, requestId: e.requestId, operator: e.operator, reason: e.reason },
      };
    case 'workflow-ended':
      return executionStatusChange({
        id: e.eventId,
        stateMachineArn: STATE_MACHINE_ARN,
        executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${e.executionName}`,
        name: e.executionName,
        status: e.status,
        startDate: e.at - 600_000,
        stopDate: e.at,
        input: '{}',
        ...(e.status === 'SUCCEEDED' ? { output: JSON.stringify({ verified: true, recoverySeconds: 540 }) } : { error: 'PermanentAdapterError', cause: 'promote-database: access denied' }),
        region: CONTROLLER_REGION,
        account: ACCOUNT,
      });
    case 'heartbeat':
      return scheduledTick({ id: e.eventId, at: e.at, region: e.region, account: ACCOUNT, ruleArn: `arn:aws:events:${e.region}:${ACCOUNT}:rule/payments-dev-${e.region}-heartbeat` });
    case 'workflow-started':
    case 'action-failed':
      throw new Error(`bench: a ${e.type} event is made by the decide path itself and never arrives on the queue; the stream must not hold one`);
    case 'readiness-evaluated':
      throw new Error(`bench: the benchmark stream holds no readiness results (${e.eventId})`);
  }
}

/** An SQS FIFO record of the controller queue, as Lambda's event source mapping delivers it. */
function sqsRecord(n: number, body: string, at: number): SQSRecord {
  return {
    messageId: `m-${n}`,
    receiptHandle: `rh-${n}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(at),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(at),
      SequenceNumber: String(18800000000000000000n + BigInt(n)),
      MessageGroupId: benchConfig.app,
      MessageDeduplicationId: `dedup-${n}`,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${CONTROLLER_REGION}:${ACCOUNT}:payments-dev-controller.fifo`,
    awsRegion: CONTROLLER_REGION,
  };
}

/**
 * The decide path as the Lambda runs it (`processBatch`: Powertools FIFO batch processor → parse →
 * load → decide → save → act → publish) with the in-memory twins, one SQS record per invocation,
 * over the realistic stream as raw EventBridge payloads. Logging and metrics are off: they write
 * to stdout, which the bench keeps for its tables. One warm-up pass on throwaway twins first.
 */
async function measureDecideLatency(count = 20_000): Promise<LatencyResult> {
  const events = realisticStream(count);
  const records = events.map((e, n) => ({ record: sqsRecord(n, JSON.stringify(rawEventOf(e)), e.at), at: e.at }));
  const context = { functionName: 'payments-dev-decide', awsRequestId: 'bench' } as Context;
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

  const pass = async () => {
    let clock = 0;
    const deps = {
      config: benchConfig,
      stateStore: new InMemoryStateStore({ now: () => clock }),
      workflow: new InMemoryWorkflow({ stateMachineArn: STATE_MACHINE_ARN }),
      publisher: new InMemoryPublisher(),
      deadLetters: new InMemoryDeadLetters(),
      now: () => clock,
      log: quiet,
    } satisfies DecideDeps;
    const durations: number[] = [];
    let batchItemFailures = 0;
    for (const { record, at } of records) {
      clock = at + 200; // SQS and Lambda deliver a moment after the event
      const start = performance.now();
      const response = await processBatch({ Records: [record] }, context, deps);
      durations.push(performance.now() - start);
      batchItemFailures += response.batchItemFailures.length;
    }
    return { deps, durations, batchItemFailures };
  };

  await pass();
  const { deps, durations, batchItemFailures } = await pass();
  const sorted = durations.sort((a, b) => a - b);
  const decisions: Record<string, number> = {};
  for (const d of deps.stateStore.view(benchConfig.app).decisions) decisions[d.action] = (decisions[d.action] ?? 0) + 1;
  return {
    events: records.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted[sorted.length - 1]!,
    deadLettered: deps.deadLetters.letters.length,
    batchItemFailures,
    decisions,
  };
}

/**
 * The synthesized failover state machine (FailoverWorkflow with its default tunables), run locally
 * on the happy switchover path: old writer reachable, lag within budget, the writer promoted at
 * the second poll, recovery verified at the first check. Transitions: every state entered plus
 * every retry, as Step Functions counts them for billing.
 *
 * @see https://aws.amazon.com/step-functions/pricing/ (a transition per step executed, retries included)
 */
async function measureHappyPath(): Promise<TransitionsResult> {
  const workflow = workflowFromTemplate(synthWorkflow().template);
  const world = createWorld({ primaryHealth: 'healthy', lagSeconds: 1 });
  const run = await runWorkflow(workflow, failoverRequest(), world.steps);
  const output = run.outcome.status === 'SUCCEEDED' ? (run.outcome.output as { promotionMode?: string }) : undefined;
  if (output?.promotionMode !== 'switchover') throw new Error(`bench: the happy path did not end in a switchover: ${JSON.stringify(run.outcome)}`);
  const retries = Object.values(run.retries).reduce((sum, n) => sum + n, 0);
  return { transitions: run.path.length + retries, path: run.path, retries };
}

/** Bundle sizes and init times of every Lambda, decide-path latency, and the happy path's state transitions. */
export async function runHandlersBench(): Promise<HandlersBench> {
  const { baselineMs, bundles } = await measureBundles();
  const latency = await measureDecideLatency();
  const happyPath = await measureHappyPath();
  return { baselineMs, bundles, latency, happyPath };
}
