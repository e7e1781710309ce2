import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { InMemoryAuroraDatabase } from '../../adapters/database/in-memory-database.twin';
import { HEALTH_CHECK_ALARM_REGION } from '../../infra/controller/controller-stacks';
import { CliError } from '../cli-error';
import { MotoNotInstalledError, motoCredentials, startMoto, type Moto } from '../../local/moto-server';
import { alarmStateChange, putEventsEntry, scheduledTick } from '../../local/aws-events';
import { ControllerLoop } from '../../local/controller-loop';
import { assertPortFree } from './drill.command';
import type { DrillWorld } from '../../local/environment';
import { MotoEnvironment } from '../../local/moto-environment';
import { localController } from '../../local/local-controller';
import { drillPlan, type DrillPlan } from '../../local/plan';
import { synthesizeController } from './reference-app';
import { REAL_CLOCK } from '../../local/simulated-clock';
import { readinessSettingsFile } from '../../local/readiness-settings';
import { SANDBOX_USAGE } from './usage';


/** The readiness settings file the sandbox writes into its temp dir. */
export const READINESS_SETTINGS_FILE = 'readiness-settings.json';

/** How often the controller loop polls the queue, as Lambda's event source mapping keeps polling. */
export const SANDBOX_POLL_MS = 500;
/** The tick rule's rate: `rate(1 minute)`. */
const TICK_MS = 60_000;

export interface SandboxOptions {
  /** @default - a free port */
  readonly port?: number;
  /** Told each line to print (the banner, then one line per decision, step and error). */
  readonly onLine?: (line: string) => void;
  readonly startMoto?: (timeoutMs?: number, port?: number) => Promise<Moto>;
}

/** A running sandbox. */
export interface Sandbox {
  readonly endpoint: string;
  readonly plan: DrillPlan;
  readonly world: DrillWorld;
  /** The readiness settings of this world, for `drctl readiness --settings <file>` (removed on stop). */
  readonly readinessSettings: string;
  /** Stop polling and ticking, then stop moto_server. */
  stop(): Promise<void>;
}

/**
 * The drill's local environment, left running: moto_server with everything the synthesized stacks
 * describe, and the controller loop consuming the queue as events arrive (every
 * {@link SANDBOX_POLL_MS} ms), with a scheduled tick every minute, on the real clock. Publish alarm
 * events and overrides with `drctl` or the AWS CLI and watch the decisions with `drctl status`.
 *
 * The database is the Aurora twin (moto has no global-cluster failover), and moto's health checks
 * always report Success, so every region looks healthy to the workflow.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const say = options.onLine ?? (() => undefined);
  const plan = drillPlan(synthesizeController());
  let moto: Moto;
  try {
    moto = await (options.startMoto ?? startMoto)(15_000, options.port);
  } catch (error) {
    if (error instanceof MotoNotInstalledError) throw new CliError('the sandbox needs moto_server, which is not on the PATH; install it with pip install "moto[server]" (drctl drill runs without it)');
    throw new CliError(`moto_server could not start${options.port !== undefined ? ` on port ${options.port}` : ''}: ${(error as Error).message.split('\n')[0]}`);
  }
  const env = new MotoEnvironment(moto.endpoint, plan, () => moto.reset());
  let world: DrillWorld;
  try {
    world = await env.provision();
  } catch (error) {
    env.close();
    await moto.stop();
    throw error;
  }
  const { config } = plan.settings;
  const database = new InMemoryAuroraDatabase({ clusterArns: world.resources.database.clusterArns, writer: config.initialActive });
  const { workflow, deps } = localController({
    env,
    plan,
    world,
    database,
    traffic: world.traffic,
    clock: REAL_CLOCK,
    onStep: (r) => say(`step      ${r.executionName} ${r.step} ${r.status}${r.retries > 0 ? ` after ${r.retries} retries` : ''} (${Math.round(r.realMs)} ms)${r.detail ? `: ${r.detail}` : ''}`),
    log: { info: () => undefined, warn: (message, extra) => say(`decide    ${message} ${JSON.stringify(extra ?? {})}`), error: (message, extra) => say(`decide    ${message} ${JSON.stringify(extra ?? {})}`) },
    observe: (d) => say(`decision  ${d.action}${'target' in d ? ` → ${d.target}` : ''}${'generation' in d ? ` g${d.generation}` : ''}: ${d.reason}`),
  });
  const loop = new ControllerLoop(env, world.queueArn, deps);

  let stopped = false;
  let busy = false;
  let pass: Promise<void> = Promise.resolve();
  /** One thing at a time: a poll, or a tick. An error is printed, and the loop goes on. */
  const serial = (task: () => Promise<unknown>) => {
    pass = pass.then(async () => {
      if (stopped) return;
      try {
        await task();
      } catch (error) {
        say(`controller loop: ${(error as Error).name}: ${(error as Error).message}`);
      }
    });
    return pass;
  };
  const poller = setInterval(() => {
    if (busy) return;
    busy = true;
    void serial(async () => {
      await loop.drain();
      await workflow.runPending();
    }).finally(() => {
      busy = false;
    });
  }, SANDBOX_POLL_MS);
  const ticker = setInterval(() => {
    void serial(() => env.enqueue(scheduledTick({ at: Date.now(), region: plan.controllerRegion, account: plan.account, ruleArn: plan.tickRuleArn })));
  }, TICK_MS);

  const examples = mkdtempSync(join(tmpdir(), 'drctl-sandbox-'));
  for (const line of banner(moto.endpoint, plan, world, examples)) say(line);

  return {
    endpoint: moto.endpoint,
    plan,
    world,
    readinessSettings: join(examples, READINESS_SETTINGS_FILE),
    async stop() {
      stopped = true;
      clearInterval(poller);
      clearInterval(ticker);
      await pass;
      await workflow.shutdown();
      env.close();
      rmSync(examples, { recursive: true, force: true });
      await moto.stop();
    },
  };
}

/** What the sandbox prints first: where everything is, and commands to copy. */
function banner(endpoint: string, plan: DrillPlan, world: DrillWorld, examples: string): string[] {
  const { config } = plan.settings;
  const r = world.resources;
  const region = plan.controllerRegion;
  const primary = config.initialActive;
  const alarm = config.signals.find((s) => s.region === primary && s.kind === 'alarm' && s.critical) ?? config.signals[0];
  const alarmRegion = alarm?.kind === 'health-check' ? HEALTH_CHECK_ALARM_REGION : (alarm?.region ?? primary);
  const alarmFile = join(examples, 'alarm.json');
  const settingsFile = join(examples, READINESS_SETTINGS_FILE);
  writeFileSync(settingsFile, JSON.stringify(readinessSettingsFile(plan, world), null, 2));
  if (alarm) {
    const event = alarmStateChange({ alarmName: alarm.alarmName, state: 'ALARM', at: Date.now(), region: alarmRegion, account: plan.account });
    const { Time: _time, ...entry } = putEventsEntry(event);
    writeFileSync(alarmFile, JSON.stringify([entry], null, 2));
  }
  const creds = `AWS_ACCESS_KEY_ID=${motoCredentials.accessKeyId} AWS_SECRET_ACCESS_KEY=${motoCredentials.secretAccessKey}`;
  const queueUrl = (name: string) => `${endpoint}/${plan.account}/${name}`;
  const alarmRegions = [...new Set(plan.rules.filter((rule) => rule.busName === 'default' && (rule.eventPattern?.source as unknown[] | undefined)?.includes('aws.cloudwatch') === true).map((rule) => rule.region))];
  return [
    `sandbox: moto_server on ${endpoint} (account ${plan.account}); the controller loop polls every ${SANDBOX_POLL_MS} ms, ticks every minute; Ctrl-C stops it`,
    `  regions          ${config.regions.join(', ')} (active ${primary}); controller in ${region}`,
    `  buses            ${r.controllerBusName} in ${region} (overrides, forwarded alarms); the default bus in ${alarmRegions.join(', ')} (alarm state changes)`,
    `  queues           ${queueUrl(plan.names.queueName)}`,
    `                   ${queueUrl(plan.names.deadLetterQueueName)} (dead letters)`,
    `  state table      ${r.stateTableName} (${region})`,
    `  parameters       ${r.parameterPrefix}/active-region, ${r.parameterPrefix}/fenced in every region`,
    `  records          ${r.traffic.recordName} ${r.traffic.recordType} in hosted zone ${r.traffic.hostedZoneId}`,
    '  database         the Aurora twin, in process: moto has no global-cluster failover',
    'try:',
    `  npx drctl override freeze --reason "sandbox: trying a freeze" --bus ${r.controllerBusName} --region ${region} --endpoint-url ${endpoint}`,
    `  ${creds} aws events put-events --endpoint-url ${endpoint} --region ${alarmRegion} --entries file://${alarmFile}`,
    `  npx drctl readiness --settings ${settingsFile} --region ${region} --endpoint-url ${endpoint} --json`,
    '                   (moto serves the records, health checks, parameters, queues, table and state machine; it has no global cluster, step functions, probe metric or IAM policy simulator: those checks fail)',
    `  npx drctl status --app ${config.app} --table ${r.stateTableName} --region ${region} --endpoint-url ${endpoint} --parameter-prefix ${r.parameterPrefix} --regions ${config.regions.join(',')}`,
  ];
}

/** `drctl sandbox [--port N]`: start the sandbox, print where everything is, run until Ctrl-C. */
export async function runSandbox(args: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...args], options: { port: { type: 'string' } } }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}; ${SANDBOX_USAGE}`);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = /^\d+$/.test(values.port) ? Number(values.port) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) throw new CliError(`--port '${values.port}' is not a port number (1-65535); leave it out for a free one`);
    await assertPortFree(port);
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sandbox = await startSandbox({ ...(port !== undefined ? { port } : {}), onLine: (line) => process.stdout.write(`${line}\n`) });
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  process.stdout.write('sandbox: stopping moto_server\n');
  await sandbox.stop();
  return 0;
}
