import { synthesizeController } from '../cli/drill/reference-app';
import { InMemoryEnvironment } from '../local/environment';
import { drillPlan } from '../local/plan';
import { runScenario } from '../cli/drill/scenario-runner';
import { SCENARIOS } from '../cli/drill/scenarios';
import type { RtoBudget } from '../infra/controller/rto-model';
import type { RtoBreakdown } from '../local/drill-timeline';

/**
 * One scenario's recovery as the drill models it on its simulated clock ({@link RtoBreakdown} of the
 * first run: every duration from the synthesized stacks and the RTO model), with the controller's
 * real overhead the median of the runs.
 */
export interface ScenarioRto extends Omit<RtoBreakdown, 'modelWorstCaseSeconds' | 'targetSeconds'> {
  readonly scenario: string;
  readonly passed: boolean;
}

export interface RtoBench {
  readonly runs: number;
  /** The RTO model's worst case for the synthesized stacks (what `drctl rto` prints). */
  readonly model: RtoBudget;
  readonly scenarios: readonly ScenarioRto[];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

/**
 * The drill's scenarios that end in an automatic failover, run `runs` times each on the in-memory
 * twins (so the measured overhead is the controller's code, not moto's HTTP): the modelled RTO per
 * scenario (identical every run: the simulated clock is deterministic) and the controller's share
 * of it (median of the runs).
 */
export async function runRtoBench(runs = 5): Promise<RtoBench> {
  const reference = synthesizeController();
  const plan = drillPlan(reference);
  const env = new InMemoryEnvironment(plan);
  const startAt = Date.UTC(2026, 10, 26, 3, 0, 0);
  const scenarios: ScenarioRto[] = [];
  for (const scenario of SCENARIOS.filter((s) => s.measuresRto)) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await runScenario({ env, scenario, startAt }));
    const rtos = results.map((r) => r.rto);
    const first = rtos[0];
    if (!first || rtos.some((r) => r === undefined)) throw new Error(`scenario ${scenario.name} ended without a completed automatic failover to measure`);
    const overheadMs = median(rtos.map((r) => r!.controllerOverheadMs));
    scenarios.push({
      scenario: scenario.name,
      passed: results.every((r) => r.passed),
      totalSeconds: first.totalSeconds,
      detectionSeconds: first.detectionSeconds,
      sustainSeconds: first.sustainSeconds,
      workflowSeconds: first.workflowSeconds,
      trafficSeconds: first.trafficSeconds,
      dnsTtlSeconds: first.dnsTtlSeconds,
      controllerOverheadMs: overheadMs,
      controllerShare: overheadMs / (first.totalSeconds * 1000),
    });
  }
  env.close();
  return { runs, model: reference.rto.budget, scenarios };
}
