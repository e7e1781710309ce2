import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App, Validations } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addProtectedPayments } from '../infra/protected-payments';

const ROOT = resolve(__dirname, '..');

export interface SynthBench {
  /** `new App()` → `addProtectedPayments` → cdk-nag plugin → `app.synth()`, in this process, with esbuild bundling. */
  readonly inProcessSeconds: number;
  readonly stacks: number;
  /** NodejsFunction constructs bundled by that synth. */
  readonly functionsBundled: number;
  /** Wall time of `npx cdk synth --quiet` (cdk.json's app: `npx tsx infra/app.ts`), offline. */
  readonly cliSeconds: number;
}

/** A fresh temporary directory, removed after `use` returns or throws. */
function withTempDir<T>(prefix: string, use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Run `fn` with this process's stderr writes held back (CDK announces each bundling there, between
 * the bench's tables); if `fn` throws, what it wrote (e.g. the cdk-nag report) joins the error.
 */
function holdingStderr<T>(fn: () => T): T {
  const write = process.stderr.write;
  const held: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => held.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    return fn();
  } catch (error) {
    throw new Error(`bench: in-process synth failed: ${error instanceof Error ? error.message : String(error)}\n${held.join('')}`, { cause: error });
  } finally {
    process.stderr.write = write;
  }
}

/**
 * Synthesize the whole reference app (payment workload in two regions and its controller) the way
 * `infra/app.ts` does, with cdk-nag as a validation plugin and real esbuild bundling of every
 * function (no `aws:cdk:bundling-stacks` shortcut), into a temporary cloud assembly.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/policy-validation-synthesis.html
 */
function synthInProcess(): Pick<SynthBench, 'inProcessSeconds' | 'stacks' | 'functionsBundled'> {
  return withTempDir('dr-bench-synth-', (outdir) => {
    // cdk-nag's EVB1 rule reads a deprecated property; keep the bench output to its tables.
    const deprecations = process.env.JSII_DEPRECATED;
    process.env.JSII_DEPRECATED = 'quiet';
    try {
      const start = performance.now();
      // NodejsFunction bundles while the app is built (asset staging), cdk-nag runs at synth.
      const { app, assembly } = holdingStderr(() => {
        const built = new App({ outdir });
        addProtectedPayments(built, 'dev');
        Validations.of(built).addPlugins(new AwsSolutionsChecks(built));
        return { app: built, assembly: built.synth() };
      });
      const inProcessSeconds = (performance.now() - start) / 1000;
      const functionsBundled = app.node.findAll().filter((c) => c instanceof NodejsFunction).length;
      return { inProcessSeconds, stacks: assembly.stacks.length, functionsBundled };
    } finally {
      if (deprecations === undefined) delete process.env.JSII_DEPRECATED;
      else process.env.JSII_DEPRECATED = deprecations;
    }
  });
}

/**
 * `npx cdk synth --quiet` as an operator runs it, offline: no version check, no telemetry, no
 * notices, a throwaway CDK home and output directory. Fails with the CLI's own output if it does.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-synth.html
 * @see https://docs.aws.amazon.com/cdk/v2/guide/cli-telemetry.html
 */
function synthWithCli(): number {
  return withTempDir('dr-bench-cdk-', (dir) => {
    const outdir = join(dir, 'cdk.out');
    const start = performance.now();
    const run = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true', CDK_HOME: join(dir, 'home') },
    });
    const seconds = (performance.now() - start) / 1000;
    if (run.status !== 0 || !existsSync(join(outdir, 'manifest.json'))) {
      throw new Error(`bench: npx cdk synth --quiet exited with ${run.status ?? run.signal}: ${(run.stderr || run.stdout || String(run.error)).slice(-3000)}`);
    }
    return seconds;
  });
}

/** Synthesis time of the full app, in process and through the CDK CLI. */
export function runSynthBench(): SynthBench {
  const inProcess = synthInProcess();
  return { ...inProcess, cliSeconds: synthWithCli() };
}
