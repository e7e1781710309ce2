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

if (missed > 0) {
  console.log(`\n${missed} target(s) missed`);
  process.exitCode = 1;
}
