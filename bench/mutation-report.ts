import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';

/**
 * `npm run mutation` (after Stryker): turns Stryker's JSON report into the score the project keeps,
 * per group (the engine in `domain/`, the two edge files), and the list of surviving mutants, each
 * matched to its entry in `bench/mutation-equivalents.json` (why it changes no behaviour) or
 * flagged as a rule no test holds. Writes `bench/results/mutation.json` and `mutation.md`; exits 1
 * when a group is under its target or a survivor is not explained.
 *
 * Counted: every mutant Stryker made (string literals are not mutated: their text is wording, not
 * a rule). Killed = `Killed` or `Timeout` (the tests noticed); survived = `Survived` or
 * `NoCoverage`; `CompileError`, `RuntimeError` and `Ignored` are left out, as Stryker does.
 *
 * @see https://stryker-mutator.io/docs/mutation-testing-elements/mutant-states-and-metrics/
 */

const ROOT = join(__dirname, '..');
const REPORT = process.env.MUTATION_REPORT ?? join(ROOT, 'reports/mutation/mutation.json');
const EQUIVALENTS = join(__dirname, 'mutation-equivalents.json');
const RESULTS = join(__dirname, 'results');

const GROUPS = [
  { name: 'domain', target: 0.9, owns: (file: string) => file.startsWith('domain/') },
  { name: 'edge', target: 0.85, owns: (file: string) => file === 'edge/event.parser.ts' || file === 'edge/config.schema.ts' },
] as const;

const Position = z.object({ line: z.number(), column: z.number() });
const Report = z.object({
  files: z.record(
    z.string(),
    z.object({
      source: z.string(),
      mutants: z.array(
        z.object({
          id: z.string(),
          mutatorName: z.string(),
          replacement: z.string().optional(),
          status: z.enum(['Killed', 'Survived', 'NoCoverage', 'Timeout', 'CompileError', 'RuntimeError', 'Ignored', 'Pending']),
          static: z.boolean().optional(),
          location: z.object({ start: Position, end: Position }),
        }),
      ),
    }),
  ),
});
const Equivalents = z.array(
  z.object({
    file: z.string(),
    mutator: z.string(),
    /** The mutated source text, white space folded to one space. */
    original: z.string(),
    replacement: z.string(),
    /** Only where the same text is mutated in two places for different reasons: the line it was at (the nearest wins). */
    line: z.number().optional(),
    reason: z.string().min(20, 'say why the mutant changes no behaviour'),
  }),
);
type Equivalent = z.infer<typeof Equivalents>[number];

interface Survivor {
  readonly file: string;
  readonly line: number;
  readonly mutator: string;
  readonly original: string;
  readonly replacement: string;
  readonly status: string;
  readonly equivalent?: string;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function load<T>(path: string, schema: z.ZodType<T>, fix: string): T {
  if (!existsSync(path)) fail(`${relative(ROOT, path)} does not exist: ${fix}`);
  const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) fail(`${relative(ROOT, path)} is not what this report reads: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** The source text a mutant replaced (Stryker's lines and columns are 1-based). */
function textAt(lines: readonly string[], start: z.infer<typeof Position>, end: z.infer<typeof Position>): string {
  if (start.line === end.line) return lines[start.line - 1]!.slice(start.column - 1, end.column - 1);
  return [lines[start.line - 1]!.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1]!.slice(0, end.column - 1)].join('\n');
}

/** Of the entries that match a mutant's text, the one listed nearest its line. */
function closest(entries: readonly Equivalent[], line: number): Equivalent | undefined {
  return [...entries].sort((a, b) => Math.abs((a.line ?? line) - line) - Math.abs((b.line ?? line) - line))[0];
}

/** White space folded, so that an entry survives reformatting. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

const report = load(REPORT, Report, 'run `npm run mutation` (Stryker writes it)');
const equivalents = load(EQUIVALENTS, Equivalents, 'create it: [] when every survivor is killed');
const used = new Set<Equivalent>();

const groups = GROUPS.map((g) => ({ name: g.name, target: g.target, killed: 0, timedOut: 0, survived: 0, noCoverage: 0, errors: 0, ignored: 0, survivors: [] as Survivor[] }));
for (const [path, file] of Object.entries(report.files)) {
  const name = relative(ROOT, join(ROOT, path)).split('\\').join('/');
  const gi = GROUPS.findIndex((g) => g.owns(name));
  if (gi < 0) continue;
  const group = groups[gi]!;
  const lines = file.source.split('\n');
  for (const m of file.mutants) {
    if (m.status === 'Killed') group.killed++;
    else if (m.status === 'Timeout') group.timedOut++;
    else if (m.status === 'CompileError' || m.status === 'RuntimeError') group.errors++;
    else if (m.status === 'Ignored' || m.status === 'Pending') group.ignored++;
    else {
      if (m.status === 'Survived') group.survived++;
      else group.noCoverage++;
      const original = oneLine(textAt(lines, m.location.start, m.location.end));
      const replacement = oneLine(m.replacement ?? '');
      const eq = closest(
        equivalents.filter((e) => e.file === name && e.mutator === m.mutatorName && oneLine(e.original) === original && oneLine(e.replacement) === replacement),
        m.location.start.line,
      );
      if (eq) used.add(eq);
      group.survivors.push({ file: name, line: m.location.start.line, mutator: m.mutatorName, original, replacement, status: m.status, ...(eq ? { equivalent: eq.reason } : {}) });
    }
  }
}

const summary = groups.map((g) => {
  const detected = g.killed + g.timedOut;
  const valid = detected + g.survived + g.noCoverage;
  const score = valid === 0 ? 0 : detected / valid;
  const unexplained = g.survivors.filter((s) => s.equivalent === undefined).length;
  return { ...g, detected, valid, score, unexplained, ok: valid > 0 && score >= g.target && unexplained === 0 };
});
const stale = equivalents.filter((e) => !used.has(e));

/** Inline Markdown code for any text (one line, at most 120 characters, fenced past its own backticks). */
function code(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const shown = line.length > 120 ? `${line.slice(0, 119)}…` : line;
  const fence = shown.includes('`') ? '``' : '`';
  return `${fence} ${shown} ${fence}`;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log('\nmutation testing: logic mutants (string literals are not mutated)');
console.table(
  summary.map((g) => ({
    group: g.name,
    mutants: g.valid,
    killed: g.detected,
    survived: g.survived + g.noCoverage,
    'equivalent (listed)': g.survivors.length - g.unexplained,
    unexplained: g.unexplained,
    score: pct(g.score),
    target: `≥ ${pct(g.target)}`,
    verdict: g.ok ? 'ok' : 'MISSED',
  })),
);
const unexplained = summary.flatMap((g) => g.survivors.filter((s) => s.equivalent === undefined));
for (const s of unexplained) console.log(`unexplained survivor: ${s.file}:${s.line} ${s.mutator} ${JSON.stringify(s.original)} → ${JSON.stringify(s.replacement)}`);
for (const e of stale) console.log(`listed equivalent no longer survives (remove it from bench/mutation-equivalents.json): ${e.file} ${e.mutator} ${JSON.stringify(e.original)}`);

mkdirSync(RESULTS, { recursive: true });
const measuredAt = new Date().toISOString();
writeFileSync(
  join(RESULTS, 'mutation.json'),
  `${JSON.stringify({ measuredAt, node: process.version, groups: summary.map(({ survivors, ...g }) => ({ ...g, survivors })) }, null, 2)}\n`,
);
const md = [
  '# Mutation testing: score and survivors',
  '',
  `Written by \`npm run mutation\` (${measuredAt}). Logic mutants only: string literals are not mutated. Killed counts Stryker's Killed and Timeout.`,
  '',
  '| group | mutants | killed | survived | listed as equivalent | score | target |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...summary.map((g) => `| ${g.name} | ${g.valid} | ${g.detected} | ${g.survived + g.noCoverage} | ${g.survivors.length - g.unexplained} | ${pct(g.score)} | ≥ ${pct(g.target)} |`),
  '',
  '## Survivors',
  '',
  ...summary.flatMap((g) => g.survivors.map((s) => `- ${code(`${s.file}:${s.line}`)} ${s.mutator}: ${code(s.original)} → ${code(s.replacement)} — ${s.equivalent ?? '**not explained: a rule no test holds**'}`)),
  '',
].join('\n');
writeFileSync(join(RESULTS, 'mutation.md'), md);
process.exit(summary.every((g) => g.ok) && stale.length === 0 ? 0 : 1);
