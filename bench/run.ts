import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runEngineBench } from './engine.bench';
import { runParseBench } from './parse.bench';

/** `npm run bench`: runs every benchmark, prints a table per benchmark, writes bench/results/*.json. */
interface Row {
  readonly metric: string;
  readonly value: string;
  readonly target: string;
  readonly ok: boolean | undefined;
}

function printTable(title: string, rows: readonly Row[]) {
  console.log(`\n${title}`);
  console.table(rows.map((r) => ({ metric: r.metric, value: r.value, target: r.target, verdict: r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED' })));
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const resultsDir = join(__dirname, 'results');
mkdirSync(resultsDir, { recursive: true });
const only = process.argv[2];
const BENCHMARKS = ['engine', 'handlers', 'synth', 'rto'];
if (only !== undefined && !BENCHMARKS.includes(only)) {
  console.error(`unknown benchmark "${only}": run npm run bench, or npm run bench -- <${BENCHMARKS.join('|')}>`);
  process.exit(2);
}
let missed = 0;

if (!only || only === 'engine') {
  const r = runEngineBench();
  const rows: Row[] = [
    { metric: 'decide events/s (10^6 realistic events)', value: fmt(r.eventsPerSecond), target: '≥ 500,000', ok: r.eventsPerSecond >= 500_000 },
    ...Object.entries(r.nsPerEvent).map(([n, ns]) => ({ metric: `ns/event at ${fmt(Number(n))} events`, value: fmt(ns, 1), target: '', ok: undefined })),
    { metric: 'per-event cost 10^6 / 10^3', value: `${fmt(r.flatness, 2)}×`, target: '≤ 1.20×', ok: r.flatness <= 1.2 },
    { metric: 'serialized state after 10^6 events', value: `${fmt(r.stateBytesAfterMillion)} B`, target: 'bounded', ok: undefined },
  ];
  printTable('engine: domain.decide()', rows);
  console.log('decisions in the stream:', r.actions);
  writeFileSync(join(resultsDir, 'engine.json'), JSON.stringify({ ...r, measuredAt: new Date().toISOString(), node: process.version }, null, 2));
  missed += rows.filter((x) => x.ok === false).length;
}

if (!only || only === 'engine') {
  const p = runParseBench();
  printTable('edge + engine: JSON.parse → parseEvent → decide on real-format payloads', [
    { metric: `parse+decide events/s (${fmt(p.events)} events)`, value: fmt(p.eventsPerSecond), target: '', ok: undefined },
    { metric: 'payloads rejected by the parser', value: fmt(p.rejected), target: '0', ok: p.rejected === 0 },
  ]);
  writeFileSync(join(resultsDir, 'parse.json'), JSON.stringify({ ...p, measuredAt: new Date().toISOString(), node: process.version }, null, 2));
}

const kb = (bytes: number) => bytes / 1024;
const save = (name: string, result: object) =>
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify({ ...result, measuredAt: new Date().toISOString(), node: process.version }, null, 2));

/** Print a table and count its missed targets. */
function report(title: string, rows: readonly Row[]): void {
  printTable(title, rows);
  missed += rows.filter((x) => x.ok === false).length;
}

async function main() {
  if (!only || only === 'handlers') {
    // Loaded only when run: they pull in esbuild, aws-cdk-lib and the handlers.
    const { runHandlersBench } = await import('./handlers.bench');
    const h = await runHandlersBench();
    report('handlers: Lambda bundles, esbuild with each construct\'s own bundling options (init = node require − node -e 0, medians of 5, interleaved)', [
      { metric: 'node -e 0 baseline (median of all runs)', value: `${fmt(h.baselineMs)} ms`, target: '', ok: undefined },
      ...h.bundles.flatMap((b) => [
        { metric: `${b.name} (SDK ${b.sdk}): minified size`, value: `${fmt(kb(b.bytes), 1)} KB`, target: '≤ 300 KB', ok: kb(b.bytes) <= 300 },
        { metric: `${b.name} (SDK ${b.sdk}): module init`, value: `${fmt(b.initMs)} ms`, target: '≤ 150 ms', ok: b.initMs <= 150 },
      ]),
    ]);
    const l = h.latency;
    report(`handlers: decide path, processBatch with in-memory twins, ${fmt(l.events)} real-format events, one per invocation`, [
      { metric: 'p50', value: `${fmt(l.p50Ms, 3)} ms`, target: '', ok: undefined },
      { metric: 'p95', value: `${fmt(l.p95Ms, 3)} ms`, target: '', ok: undefined },
      { metric: 'p99', value: `${fmt(l.p99Ms, 3)} ms`, target: '≤ 5 ms', ok: l.p99Ms <= 5 },
      { metric: 'max', value: `${fmt(l.maxMs, 3)} ms`, target: '', ok: undefined },
      { metric: 'events dead-lettered or failed', value: fmt(l.deadLettered + l.batchItemFailures), target: '0', ok: l.deadLettered + l.batchItemFailures === 0 },
    ]);
    console.log('decisions in the stream:', l.decisions);
    report('handlers: failover state machine (synthesized), happy switchover path, run locally', [
      { metric: 'state transitions (states entered + retries)', value: fmt(h.happyPath.transitions), target: '≤ 30', ok: h.happyPath.transitions <= 30 },
    ]);
    save('handlers', h);
  }

  if (!only || only === 'synth') {
    const { runSynthBench } = await import('./synth.bench');
    const s = runSynthBench();
    report('synth: full app (payment workload in 2 regions + controller), cdk-nag, real esbuild bundling', [
      { metric: `in-process synth (${s.stacks} stacks, ${s.functionsBundled} functions bundled)`, value: `${fmt(s.inProcessSeconds, 1)} s`, target: '≤ 30 s', ok: s.inProcessSeconds <= 30 },
      { metric: 'npx cdk synth --quiet (wall time, offline)', value: `${fmt(s.cliSeconds, 1)} s`, target: '≤ 30 s', ok: s.cliSeconds <= 30 },
    ]);
    save('synth', s);
  }

  if (!only || only === 'rto') {
    const { runRtoBench } = await import('./rto.bench');
    const r = await runRtoBench();
    const pct = (share: number) => `${fmt(share * 100, 3)} %`;
    report(`rto: modelled recovery per drill scenario (in-memory twins, simulated clock, ${r.runs} runs each) and the controller's share of it`, [
      { metric: 'RTO model worst case (drctl rto)', value: `${fmt(r.model.worstCaseSeconds, 1)} s`, target: `≤ ${r.model.targetSeconds} s`, ok: r.model.worstCaseSeconds <= r.model.targetSeconds },
      ...r.scenarios.flatMap((s) => [
        {
          metric: `${s.scenario}: modelled RTO (detection ${s.detectionSeconds} + sustain ${s.sustainSeconds} + workflow ${s.workflowSeconds} + traffic ${s.trafficSeconds} + TTL ${s.dnsTtlSeconds})`,
          value: `${fmt(s.totalSeconds, 1)} s`,
          target: `≤ ${r.model.targetSeconds} s`,
          ok: s.passed && s.totalSeconds <= r.model.targetSeconds,
        },
        { metric: `${s.scenario}: controller overhead (median)`, value: `${fmt(s.controllerOverheadMs, 1)} ms`, target: '', ok: undefined },
        { metric: `${s.scenario}: controller share of the RTO`, value: pct(s.controllerShare), target: '≤ 1 %', ok: s.controllerShare <= 0.01 },
      ]),
    ]);
    save('rto', r);
  }

  if (missed > 0) {
    console.log(`\n${missed} target(s) missed`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
