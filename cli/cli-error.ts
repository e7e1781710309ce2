import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DrError } from '../adapters/errors';

/** An error the CLI reports as one line and an exit code, never as a stack trace. */
export class CliError extends DrError {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A command's flags (no positionals), or a CliError naming the bad flag followed by `usage`.
 * @see https://nodejs.org/api/util.html#utilparseargsconfig
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O, usage: string) {
  try {
    return parseArgs({ args: [...args], options, strict: true }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message}; ${usage}`, 2, { cause: error });
  }
}
