import type { DecisionAction } from '../../domain/decision';
import type { ScenarioResult, TimelineEntry } from './timeline';

export interface ConsoleOptions {
  /**
   * ANSI colours for the verdicts (green passed, red failed).
   * @default false - plain text, safe for log files and CI output
   */
  readonly color?: boolean;
  /**
   * Columns a line may take; longer reasons wrap (or are cut, for quiet decisions).
   * @default 120
   */
  readonly width?: number;
}

/** Columns before an entry's text: `+  12.0s  decision `. */
const INDENT = 19;
/** Continuation lines a reason that acts may take before it is cut (the report has it in full). */
const MAX_REASON_LINES = 4;

const ANSI = { green: '\u001b[32m', red: '\u001b[31m', bold: '\u001b[1m', reset: '\u001b[0m' } as const;

/**
 * The lines `drctl drill` prints for one scenario, in simulated-time order: signal changes,
 * decisions with their action and reason, operator overrides, workflow steps with their simulated
 * duration and real milliseconds, notes, the RTO when there is one, then the checks and the
 * verdict. Reasons of decisions that act wrap; quiet ones (`none`, `ignored`) are cut to one line.
 */
export function renderConsoleTimeline(result: ScenarioResult, options: ConsoleOptions = {}): string[] {
  const width = Math.max(options.width ?? 120, INDENT + 20);
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `${ANSI[code]}${text}${ANSI.reset}` : text);
  const lines = wrap(`── ${result.scenario}: ${result.title}`, width, 1);
  const entries = [...result.entries].sort((a, b) => a.at - b.at);
  for (const e of entries) {
    const head = `+${((e.at - result.startedAt) / 1000).toFixed(1).padStart(6)}s  ${e.kind.padEnd(8)} `;
    const { text, maxLines } = describe(e);
    wrap(text, width - INDENT, maxLines).forEach((part, i) => lines.push(`${i === 0 ? head : ' '.repeat(INDENT)}${part}`));
  }
  if (result.rto) {
    const r = result.rto;
    const rto = `RTO ${r.totalSeconds} s modelled (detection ${r.detectionSeconds} s + sustain ${r.sustainSeconds} s + workflow ${r.workflowSeconds} s + traffic ${r.trafficSeconds} s + DNS TTL ${r.dnsTtlSeconds} s; model worst case ${r.modelWorstCaseSeconds} s, target ${r.targetSeconds} s); controller overhead ${Math.round(r.controllerOverheadMs)} ms measured (${(r.controllerShare * 100).toFixed(3)} %)`;
    wrap(rto, width - 2, 2).forEach((part) => lines.push(`  ${part}`));
  }
  for (const c of result.checks) {
    const mark = c.passed ? paint('green', '✔') : paint('red', '✘');
    wrap(`${c.name}: ${c.detail}`, width - 4, 2).forEach((part, i) => lines.push(`${i === 0 ? `  ${mark} ` : '    '}${part}`));
  }
  const passedChecks = result.checks.filter((c) => c.passed).length;
  const verdict = result.passed ? '✔ PASSED' : '✘ FAILED';
  const summary = `${verdict}  ${result.scenario}: ${passedChecks} of ${result.checks.length} checks passed (${((result.endedAt - result.startedAt) / 1000).toFixed(0)} s simulated, ${result.wallSeconds.toFixed(1)} s real)`;
  const [first = '', ...rest] = wrap(summary, width, 2);
  const painted = paint(result.passed ? 'green' : 'red', paint('bold', verdict));
  return [...lines, first.startsWith(verdict) ? painted + first.slice(verdict.length) : first, ...rest];
}

function isQuiet(action: DecisionAction): boolean {
  return action === 'none' || action === 'ignored';
}

function describe(e: TimelineEntry): { text: string; maxLines: number } {
  switch (e.kind) {
    case 'signal':
      return { text: `${e.alarmName} (${e.region}, ${e.signalKind}) → ${e.state}`, maxLines: 2 };
    case 'decision': {
      const what = [e.target !== undefined ? `→ ${e.target}` : '', e.generation !== undefined ? `g${e.generation}` : '', e.dryRun ? '(dry run)' : '']
        .filter((x) => x !== '')
        .join(' ');
      return { text: `${e.action}${what ? ` ${what}` : ''}: ${e.reason}`, maxLines: isQuiet(e.action) ? 1 : MAX_REASON_LINES };
    }
    case 'override':
      return { text: `${e.action} by ${e.operator} via ${e.via}: ${e.reason}`, maxLines: 2 };
    case 'step': {
      const retries = e.retries > 0 ? `, ${e.retries} ${e.retries === 1 ? 'retry' : 'retries'}` : '';
      const took = `${((e.endAt - e.at) / 1000).toFixed(1)}s simulated, ${Math.round(e.realMs)} ms real${retries}`;
      return { text: `${e.step} ${e.status} in ${took}${e.detail !== undefined ? `: ${e.detail}` : ''}`, maxLines: 2 };
    }
    case 'note':
      return { text: e.text, maxLines: 2 };
    default:
      return assertNever(e);
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown timeline entry ${JSON.stringify(value)}`);
}

/**
 * Greedy word wrap to `width` columns in at most `maxLines` lines; text that does not fit ends in
 * `…`. Words longer than a line are split. Control characters (newlines, escape sequences an
 * operator's reason might carry) become spaces, so the text cannot move the terminal's cursor.
 */
function wrap(text: string, width: number, maxLines: number): string[] {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const words = text.replace(/[\u0000-\u001f\u007f-\u009f]|\s/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    while (word.length > width) {
      if (line !== '') {
        lines.push(line);
        line = '';
      }
      lines.push(word.slice(0, width));
      word = word.slice(width);
    }
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1]!;
  kept[maxLines - 1] = `${last.length < width ? last : last.slice(0, width - 1)}…`;
  return kept;
}
