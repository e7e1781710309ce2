import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ControllerConfig } from '../domain/config';
import { decide, initialState } from '../domain/decide';
import type { DecisionAction } from '../domain/decision';
import type { Phase } from '../domain/state';
import { parseAwsTimestamp } from '../edge/aws-formats';
import { parseConfig } from '../edge/config.schema';
import { isIgnorable, parseEvent } from '../edge/event.parser';
import { CliError } from './cli-error';

/** One line of `drctl explain` output: what the controller did with one input line, and why. */
export interface ExplainLine {
  /** 0-based line number in the input file. */
  readonly input: number;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly active: string;
  readonly phase: Phase;
  /** The replay clock (ISO-8601) the decision was made at: the delivery time. */
  readonly time?: string;
  /** When earlier than `time`: the instant the evidence was judged at, the time it describes (ISO-8601). */
  readonly evaluatedAt?: string;
  /** The wake-up the controller would schedule (ISO-8601): when a deadline lies ahead. */
  readonly wakeAt?: string;
  readonly eventId?: string;
  readonly target?: string;
  readonly generation?: number;
  readonly dryRun?: boolean;
}

/**
 * Replay raw EventBridge events (one JSON object per line) through the parser and the engine.
 * The delivery clock is each event's envelope `time`, never going backwards (a payload's own
 * timestamp never moves it: the engine accepts it only up to MAX_EVENT_SKEW_SECONDS ahead); the engine judges evidence at the time it describes, bounded by that clock, exactly
 * as the controller does. A line that does not parse is `rejected` (or `ignored` when it is valid
 * but not for the controller) and the replay goes on.
 */
export function explain(config: ControllerConfig, text: string): ExplainLine[] {
  let state = initialState(config);
  let now = Number.NEGATIVE_INFINITY;
  const out: ExplainLine[] = [];
  text.split(/\r?\n/).forEach((line, input) => {
    if (line.trim() === '') return;
    const context = () => ({ active: state.active, phase: state.phase, ...(Number.isFinite(now) ? { time: new Date(now).toISOString() } : {}) });
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      out.push({ input, action: 'rejected', reason: `line ${input}: not JSON (${(error as Error).message})`, ...context() });
      return;
    }
    const parsed = parseEvent(raw);
    if (!parsed.ok) {
      out.push({ input, action: isIgnorable(parsed) ? 'ignored' : 'rejected', reason: parsed.reason, ...context() });
      return;
    }
    // The delivery clock is the envelope `time` (when EventBridge received the event), never the
    // payload's own timestamp, which a sender controls: a future-stamped event cannot jump the
    // clock. It never goes backwards.
    const envelopeTime = parseAwsTimestamp((raw as { time?: unknown }).time) ?? now;
    now = Math.max(now, envelopeTime);
    const result = decide(state, parsed.event, config, now);
    state = result.state;
    const [d] = result.decisions;
    out.push({
      input,
      action: d.action,
      reason: d.reason,
      active: d.active,
      phase: d.phase,
      time: new Date(now).toISOString(),
      eventId: d.eventId,
      ...(d.evaluatedAt !== undefined ? { evaluatedAt: new Date(d.evaluatedAt).toISOString() } : {}),
      ...(d.wakeAt !== undefined ? { wakeAt: new Date(d.wakeAt).toISOString() } : {}),
      ...(d.action === 'start-failover' ? { target: d.target, generation: d.generation, dryRun: d.dryRun } : {}),
    });
  });
  return out;
}

/** Read and validate a controller configuration file; a bad one is a one-line CliError. */
export function loadConfigFile(path: string): ControllerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new CliError(e.code === 'ENOENT' ? `config file ${path} not found` : `config file ${path} is not valid JSON: ${e.message}`);
  }
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new CliError(`config file ${path} is invalid: ${parsed.errors.join('; ')}`);
  return parsed.config;
}

function human(l: ExplainLine): string {
  const what = l.action === 'start-failover' ? `start-failover → ${l.target} g${l.generation}${l.dryRun ? ' (dry run)' : ''}` : l.action;
  return `#${String(l.input).padEnd(4)} ${(l.time ?? '').padEnd(24)} ${what.padEnd(28)} [${l.active} ${l.phase}] ${l.reason}`;
}

export const EXPLAIN_USAGE = 'usage: drctl explain --config <config.json> <events.jsonl> [--json]';

/** `drctl explain --config cfg.json events.jsonl [--json]` */
export function runExplain(args: readonly string[], write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  let values: { config?: string; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...args], options: { config: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true }));
  } catch (error) {
    throw new CliError(`${(error as Error).message}; ${EXPLAIN_USAGE}`);
  }
  if (!values.config) throw new CliError(`--config is required; ${EXPLAIN_USAGE}`);
  if (positionals.length !== 1) throw new CliError(`give exactly one events file; ${EXPLAIN_USAGE}`);
  const config = loadConfigFile(values.config);
  const file = positionals[0]!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    throw new CliError(e.code === 'ENOENT' ? `events file ${file} not found` : `cannot read events file ${file}: ${e.message}`);
  }
  for (const line of explain(config, text)) write(values.json ? JSON.stringify(line) : human(line));
}
