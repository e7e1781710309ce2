import { CliError } from './cli-error';
import { DRILL_USAGE, SANDBOX_USAGE } from './drill/usage';
import { EXPLAIN_USAGE, runExplain } from './explain.command';
import { FAILBACK_USAGE, OVERRIDE_USAGE, runFailback, runOverride } from './override.command';
import { READINESS_USAGE, runReadinessCommand } from './readiness.command';
import { STATUS_USAGE, runStatus } from './status.command';

const USAGE = [
  'drctl — operate the dr-controller',
  '',
  `  ${EXPLAIN_USAGE}`,
  '      replay recorded EventBridge events through the parser and the engine: what would the controller have done?',
  `  ${OVERRIDE_USAGE}`,
  '      publish an operator override to the controller bus, validated by the controller\'s own parser (--dry-run prints the PutEvents entries)',
  `  ${FAILBACK_USAGE}`,
  '      ask for a planned switchover back to the home region (RPO 0); the controller refuses it unless readiness shows the home region in sync',
  `  ${STATUS_USAGE}`,
  '      show the controller\'s state, its last decisions and the published active region per region',
  `  ${READINESS_USAGE}`,
  '      check what a failover into each target needs, with your credentials, on the deployed readiness settings; exits 1 when a target is not ready',
  '  rto [--json] [--env <name>]',
  '      worst-case recovery time of the synthesized reference app along a regional blackout, part by part with sources; exits 1 over the target',
  `  ${DRILL_USAGE}`,
  '      rehearse whole failovers locally on moto_server (no AWS account): timeline, verdict per scenario, HTML report',
  `  ${SANDBOX_USAGE}`,
  '      the drill\'s local environment, left running with the controller consuming events until Ctrl-C',
].join('\n');

/** A reader that closed the pipe early (`drctl explain … | head`) is not an error. */
function exitQuietlyOnClosedPipe() {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** Run one drctl command; returns the exit code. Errors are one line on stderr, never a stack trace. */
export async function main(argv: readonly string[]): Promise<number> {
  exitQuietlyOnClosedPipe();
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'explain':
        runExplain(rest);
        return 0;
      case 'override':
        await runOverride(rest);
        return 0;
      case 'failback':
        await runFailback(rest);
        return 0;
      case 'status':
        await runStatus(rest);
        return 0;
      case 'readiness':
        return await runReadinessCommand(rest);
      // The drill loads CDK and the local environment: only when asked for. require(), because the
      // launcher (bin/drctl.js) registers tsx for require only; import() would bypass it.
      /* eslint-disable @typescript-eslint/no-require-imports */
      case 'drill':
        return await (require('./drill/drill.command') as typeof import('./drill/drill.command')).runDrill(rest);
      case 'sandbox':
        return await (require('./drill/sandbox.command') as typeof import('./drill/sandbox.command')).runSandbox(rest);
      case 'rto':
        return (require('./rto.command') as typeof import('./rto.command')).runRto(rest);
      /* eslint-enable @typescript-eslint/no-require-imports */
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command '${command}'; run 'drctl help' for the commands`);
    }
  } catch (error) {
    if (error instanceof CliError) {
      process.stderr.write(`drctl: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`drctl: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
