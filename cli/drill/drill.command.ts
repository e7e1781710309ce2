import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { awsCliPublisher } from '../../local/aws-cli';
import { MotoNotInstalledError, motoCredentials, startMoto, type Moto } from '../../local/moto-server';
import { renderConsoleTimeline } from './console';
import { InMemoryEnvironment, type DrillEnvironment } from '../../local/environment';
import { MotoEnvironment } from '../../local/moto-environment';
import { drillPlan, type DrillPlan } from '../../local/plan';
import { synthesizeController } from './reference-app';
import { renderReport } from './report';
import { runScenario } from './scenario-runner';
import { SCENARIO_NAMES, SCENARIOS } from './scenarios';
import { DRILL_USAGE } from './usage';
import type { DrillRun, ScenarioResult } from './timeline';


/** Where the HTML report goes unless `--report` says otherwise (`reports/` is git-ignored). */
export const DEFAULT_REPORT_PATH = 'reports/drill-report.html';

/** What `runDrill` reads from its surroundings; tests pass their own. */
export interface DrillDeps {
  readonly write: (line: string) => void;
  readonly startMoto: (timeoutMs?: number, port?: number) => Promise<Moto>;
  /** Epoch ms: the simulated clock of every scenario starts at this minute. */
  readonly now: () => number;
  /** ANSI colours in the console timeline. */
  readonly color: boolean;
  readonly width: number;
  /** Publish one override of the data-loss scenario with the plain AWS CLI (when it is installed). */
  readonly useAwsCli: boolean;
  /** Register a Ctrl-C handler; returns its removal. */
  readonly onInterrupt: (handler: () => void) => () => void;
  readonly exit: (code: number) => void;
}

const defaultDeps: DrillDeps = {
  write: (line) => process.stdout.write(`${line}\n`),
  startMoto: (timeoutMs, port) => startMoto(timeoutMs, port),
  now: Date.now,
  color: process.stdout.isTTY === true,
  width: process.stdout.columns ?? 120,
  useAwsCli: true,
  onInterrupt: (handler) => {
    process.once('SIGINT', handler);
    return () => process.removeListener('SIGINT', handler);
  },
  exit: (code) => process.exit(code),
};

/** Exit code of a drill stopped with Ctrl-C: 128 + SIGINT, as shells report it. */
export const INTERRUPTED_EXIT_CODE = 130;

export interface DrillArgs {
  readonly scenarios: readonly string[];
  readonly reportPath: string;
  readonly port?: number;
  readonly json: boolean;
}

/** Parse and check the flags; anything wrong is a one-line CliError (exit 2) naming the valid choices. */
export function parseDrillArgs(args: readonly string[]): DrillArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: { scenario: { type: 'string', multiple: true }, report: { type: 'string' }, port: { type: 'string' }, json: { type: 'boolean' } },
    }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}; ${DRILL_USAGE}`);
  }
  const scenarios = (values.scenario ?? []).flatMap((s) => s.split(',')).map((s) => s.trim());
  const unknown = scenarios.filter((s) => !SCENARIO_NAMES.includes(s));
  if (unknown.length > 0) throw new CliError(`unknown scenario '${unknown.join("', '")}'; the scenarios are ${SCENARIO_NAMES.join(', ')}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) throw new CliError(`--port '${values.port}' is not a port number (1-65535); leave it out for a free one`);
  }
  if (values.report !== undefined && values.report.trim() === '') throw new CliError(`--report needs a file path, e.g. --report reports/drill.html; ${DRILL_USAGE}`);
  return {
    scenarios: scenarios.length > 0 ? [...new Set(scenarios)] : [...SCENARIO_NAMES],
    reportPath: values.report ?? DEFAULT_REPORT_PATH,
    ...(port !== undefined ? { port } : {}),
    json: values.json ?? false,
  };
}

/** Fails with a one-line CliError when something already listens on 127.0.0.1:`port`. */
export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolvePort, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new CliError(`port ${port} on 127.0.0.1 is ${error.code === 'EACCES' ? 'not allowed' : 'in use'}; pick another with --port or leave --port out for a free one`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePort()));
  });
}

/** What every drill report says about how the drill stands in for AWS. */
function notesFor(env: DrillEnvironment, plan: DrillPlan): string[] {
  const common = [
    'database promotion modelled by the Aurora twin: moto has no FailoverGlobalCluster/SwitchoverGlobalCluster',
    'region health modelled by each scenario: moto’s GetHealthCheckStatus always reports Success',
    `simulated clock: a tick every simulated minute, heartbeats on their rules' schedule, wake-ups when their SQS delay ends; every duration comes from the synthesized stacks and the RTO model drctl rto prints ` +
      `(alarms after period × datapoints, probe alarm ${plan.timings.probeAlarm.seconds} s, heartbeat window ${plan.timings.heartbeatWindow.seconds} s, Aurora promotion ${plan.timings.model.promotionSeconds} s, ` +
      `Route 53 change INSYNC ${plan.timings.model.steps['shift-traffic'].healthySeconds} s, a dark region's calls hang for the calling client's deadline × attempts); the real milliseconds are measured separately as the controller’s overhead`,
    'heartbeats: moto fires no schedule rules and its cross-region bus targets re-stamp region, time and resources, so the drill fires each heartbeat rule itself through the synthesized targets and patterns',
    'reconciliation reads the drill’s own CloudWatch alarm states (DescribeAlarms in a dark region fails after the decide path’s deadline); wake-ups are delivered into the controller queue at the end of their SQS delay, as the pipe would',
    `not created from the templates (run in-process, or not enforced locally): ${plan.notCreated.join(', ')}`,
    `readiness: the production evaluation every ${(plan.readiness?.intervalSeconds ?? 0) / 60} min (the synthesized schedule) in the scenarios that use it; records, health checks, parameters, queues, table and state machine read from ${env.backend === 'moto' ? 'moto' : 'the twins'}, global-cluster membership and lag from the Aurora twin, step functions and IAM's policy simulator from their twins, the prober's view from the scenario; its DR Readiness events go through the controller bus and the readiness rule to the queue`,
  ];
  if (env.backend === 'moto') {
    return [
      `AWS APIs on moto_server at ${env.endpoint}; the controller runs its production SDK adapters against it`,
      'CloudWatch alarm state changes are published with PutEvents in the real format: moto’s SetAlarmState emits no event; the cross-region hop of the alarm forwarding is made by the drill, with the event’s own resources and time (moto’s cross-region bus target drops them)',
      'scheduled ticks and Step Functions status changes are sent to the controller queue in the EventBridge format: moto cannot fire schedule rules and does not run state machines',
      'the synthesized failover state machine runs locally (aws-local-stepfunctions) with the real step handlers; StartExecution and StopExecution go to moto, so execution names stay unique',
      ...common,
    ];
  }
  return [
    'moto_server is not installed: the in-memory twins, an in-process bus routing through the synthesized rules and an in-process FIFO queue stand in for AWS (install moto with pip install "moto[server]")',
    'the synthesized failover state machine runs locally (aws-local-stepfunctions) with the real step handlers',
    ...common,
  ];
}

/**
 * `drctl drill`: rehearse whole failovers locally on moto_server (or the in-memory twins when moto
 * is not installed): provision what the synthesized stacks describe, run each scenario on a
 * simulated clock through the real decide handler, the synthesized state machine and the real step
 * handlers, check the end state, print a timeline and a verdict per scenario and write the HTML
 * report. Returns the exit code: 0 every scenario passed, 1 a check failed, 2 bad usage, 130 Ctrl-C.
 */
export async function runDrill(args: readonly string[], overrides: Partial<DrillDeps> = {}): Promise<number> {
  const deps: DrillDeps = { ...defaultDeps, ...overrides };
  const options = parseDrillArgs(args);
  if (options.port !== undefined) await assertPortFree(options.port);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const say = (line: string) => {
    if (!options.json) deps.write(line);
  };
  const began = performance.now();

  const reference = synthesizeController();
  const { stacks } = reference;
  const plan = drillPlan(reference);
  say(`drill: synthesized ${stacks.map((s) => `${s.name} (${s.region})`).join(', ')} in ${((performance.now() - began) / 1000).toFixed(1)} s`);

  let moto: Moto | undefined;
  let env: DrillEnvironment;
  try {
    moto = await deps.startMoto(15_000, options.port);
    const started = moto;
    env = new MotoEnvironment(started.endpoint, plan, () => started.reset());
    say(`drill: moto_server on ${started.endpoint}`);
  } catch (error) {
    if (!(error instanceof MotoNotInstalledError)) {
      throw new CliError(`moto_server could not start${options.port !== undefined ? ` on port ${options.port}` : ''}: ${(error as Error).message.split('\n')[0]}`);
    }
    say('drill: moto_server is not on the PATH; running on the in-memory twins instead (install it with pip install "moto[server]")');
    env = new InMemoryEnvironment(plan);
  }
  const removeInterrupt = deps.onInterrupt(() => {
    deps.write('drill: interrupted; stopping moto_server');
    void (moto ? moto.stop() : Promise.resolve()).finally(() => deps.exit(INTERRUPTED_EXIT_CODE));
  });

  const results: ScenarioResult[] = [];
  try {
    const startAt = Math.floor(deps.now() / 60_000) * 60_000;
    const awsCli = deps.useAwsCli && env.endpoint !== undefined ? awsCliPublisher(env.endpoint, motoCredentials) : undefined;
    for (const scenario of SCENARIOS.filter((s) => options.scenarios.includes(s.name))) {
      say(`▶ ${scenario.name}: ${scenario.title}`);
      const result = await runScenario({ env, scenario, startAt, ...(awsCli ? { awsCli } : {}) });
      results.push(result);
      for (const line of renderConsoleTimeline(result, { color: deps.color, width: deps.width })) say(line);
      say('');
    }
  } finally {
    removeInterrupt();
    env.close();
    await moto?.stop();
  }

  const run: DrillRun = { ranAt: new Date(deps.now()).toISOString(), backend: env.backend, notes: notesFor(env, plan), scenarios: results };
  const reportPath = resolve(options.reportPath);
  try {
    mkdirSync(dirname(reportPath), { recursive: true });
    writeFileSync(reportPath, renderReport(run));
  } catch (error) {
    throw new CliError(`could not write the report to ${options.reportPath}: ${(error as Error).message}; pass another --report path`, 1);
  }
  const passed = results.filter((r) => r.passed).length;
  if (options.json) deps.write(JSON.stringify(run));
  say(`report: ${options.reportPath}`);
  say(`drill: ${passed} of ${results.length} scenarios passed in ${((performance.now() - began) / 1000).toFixed(1)} s (${env.backend})`);
  return passed === results.length ? 0 : 1;
}
