import { CliError } from '../../cli/cli-error';
import { main } from '../../cli/drctl';
import { formatRto, referenceRtoSubject, rtoInputsOf, rtoOf, runRto, type CfnTemplate, type RtoSubject } from '../../cli/rto.command';
import { STEP_REGISTRY } from '../../handlers/steps/step-registry';
import type { FailoverWorkflow } from '../../infra/controller/failover-workflow.construct';
import {
  AURORA_PROMOTION_SECONDS,
  DECIDE_LATENCY_SECONDS,
  modelledDurations,
  rtoBudget,
  rtoViolation,
  type RtoInputs,
} from '../../infra/controller/rto-model';
import { testConfig } from '../domain/fixtures';
import { synthWorkflow } from '../workflow/workflow-fixtures';

/** The reference numbers (team plan): prober 10 s / 3 s, alarm 10 s × 3, heartbeat 90 s, sustain 30 s, health checks 10 s × 3, TTL 30 s. */
const REFERENCE: RtoInputs = {
  targetSeconds: 300,
  probe: { intervalSeconds: 10, timeoutSeconds: 3, periodSeconds: 10, evaluationPeriods: 3 },
  heartbeatWindowSeconds: 90,
  sustainSeconds: 30,
  pollIntervalSeconds: 10,
  workloadConfigCacheSeconds: 5,
  healthCheckIntervalSeconds: 10,
  healthCheckFailureThreshold: 3,
  dnsTtlSeconds: 30,
};

const seconds = (budget: ReturnType<typeof rtoBudget>) => Object.fromEntries(budget.parts.map((p) => [p.name, p.seconds]));

describe('rtoBudget (the blackout path, part by part)', () => {
  it('adds detection, sustain, decide latency, the critical steps, the workload cache and DNS for the reference numbers', () => {
    const budget = rtoBudget(REFERENCE);

    expect(seconds(budget)).toEqual({
      detection: 90,
      sustain: 30,
      'decide latency': DECIDE_LATENCY_SECONDS,
      preflight: 8.2,
      'promote-database': 2,
      'check-writer': AURORA_PROMOTION_SECONDS + 10 + 1,
      'shift-traffic': 10.6,
      'update-config': 1,
      'workload parameter cache': 5,
      'dns: health check fails': 30,
      'dns: resolver cache (TTL)': 30,
    });
    expect(budget.worstCaseSeconds).toBe(287.8);
    expect(budget.worstCaseSeconds).toBeLessThanOrEqual(budget.targetSeconds);
    expect(rtoViolation(budget)).toBeUndefined();
  });

  it('names the construct property or the assumption behind every part', () => {
    const sources = Object.fromEntries(rtoBudget(REFERENCE).parts.map((p) => [p.name, p.source]));

    expect(sources).toMatchObject({
      detection: expect.stringMatching(/probe 43 s .*heartbeat window 90 s \(DrController\.props\.config\.policy\.heartbeatWindowSeconds\)/),
      sustain: 'DrController.props.config.policy.sustainSeconds',
      'check-writer': expect.stringMatching(/Aurora promotion 60 s \(assumed.*FailoverWorkflow\.pollIntervalSeconds 10 s/),
      'shift-traffic': expect.stringContaining('3 attempts × 3 s requestTimeout'),
    });
    for (const part of rtoBudget(REFERENCE).parts) expect(part.source.length).toBeGreaterThan(10);
  });

  it('counts only steps on the critical path: fencing, verification and the announcement cost the RTO nothing', () => {
    const names = rtoBudget(REFERENCE).parts.map((p) => p.name);

    expect(names).not.toEqual(expect.arrayContaining(['fence-old-region']));
    expect(names).not.toContain('verify-recovery');
    expect(names).not.toContain('announce');
    expect(STEP_REGISTRY['fence-old-region'].criticalPath).toBe(false);
  });

  it('grows with each call deadline on the path: a longer Route 53 deadline shows up in shift-traffic', () => {
    const slowRoute53 = { ...STEP_REGISTRY, 'shift-traffic': { ...STEP_REGISTRY['shift-traffic'], call: { ...STEP_REGISTRY['shift-traffic'].call, requestTimeoutMs: 30_000 } } };

    expect(seconds(rtoBudget({ ...REFERENCE, steps: slowRoute53 }))['shift-traffic']).toBe(1 + 3 * 30 + 0.6);
  });

  it('says which part is largest when the worst case exceeds the target', () => {
    const budget = rtoBudget({ ...REFERENCE, heartbeatWindowSeconds: 600 });

    expect(rtoViolation(budget)).toMatch(/^worst-case RTO 797\.8 s exceeds the target 300 s; the largest part is detection \(600 s, from .*\): shorten it or raise rtoTargetSeconds$/);
  });

  it('refuses a configuration with no evidence that survives a blackout', () => {
    expect(() => rtoBudget({ ...REFERENCE, probe: undefined, heartbeatWindowSeconds: undefined })).toThrow(/no evidence survives a blackout/);
  });

  it('gives the drill every duration from the same model: detection per kind, promotion polls, each step healthy and dark', () => {
    const durations = modelledDurations(REFERENCE);

    expect(durations.detection).toEqual({ probeSeconds: 43, heartbeatSeconds: 90, detectedSeconds: 90 });
    expect(durations.promotionPolls).toBe(Math.ceil(AURORA_PROMOTION_SECONDS / 11));
    expect(durations.steps['shift-traffic']).toMatchObject({ healthySeconds: 60, blackoutSeconds: 10.6 });
    expect(durations.steps['fence-old-region'].healthySeconds).toBe(STEP_REGISTRY['fence-old-region'].modelled.seconds);
    expect(durations.budget).toEqual(rtoBudget(REFERENCE));
  });
});

describe('drctl rto', () => {
  /** A synthesized configuration: the workflow construct (its poll interval) and a stack with health checks and records. */
  function subject(options: { pollIntervalSeconds?: number; maxPolls?: number; requestInterval?: number; failureThreshold?: number } = {}): RtoSubject {
    const { requestInterval, failureThreshold, ...workflowProps } = options;
    const { template, stack } = synthWorkflow(workflowProps);
    const workflow = stack.node.findChild('Failover') as FailoverWorkflow;
    const routing: CfnTemplate = {
      Resources: {
        HealthCheck: { Type: 'AWS::Route53::HealthCheck', Properties: { HealthCheckConfig: { RequestInterval: requestInterval ?? 10, FailureThreshold: failureThreshold ?? 3 } } },
        Record: { Type: 'AWS::Route53::RecordSet', Properties: { Weight: 100, TTL: '30' } },
        ProbeAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'ProbeSuccess', Period: 10, EvaluationPeriods: 3, AlarmName: 'payments-us-east-1-probe' } },
      },
    };
    const base = testConfig({ sustainSeconds: 30, heartbeatWindowSeconds: 90 });
    const config = { ...base, signals: [...base.signals, { alarmName: 'payments-us-east-1-heartbeat', region: 'us-east-1', kind: 'heartbeat' as const, critical: true }] };
    return { workflow, config, templates: [template as CfnTemplate, routing], workloadConfigCacheSeconds: 5 };
  }

  it('reads its inputs from the synthesized stacks: poll interval, policy, health checks, TTL, probe alarm', () => {
    expect(rtoInputsOf(subject())).toMatchObject({
      targetSeconds: 300,
      probe: { periodSeconds: 10, evaluationPeriods: 3 },
      heartbeatWindowSeconds: 90,
      sustainSeconds: 30,
      pollIntervalSeconds: 10,
      healthCheckIntervalSeconds: 10,
      healthCheckFailureThreshold: 3,
      dnsTtlSeconds: 30,
    });
  });

  it('prints the budget as JSON with every part and its source, and exits 0 within the target', () => {
    const printed: string[] = [];

    const code = runRto(['--json'], { build: () => subject(), out: (text) => printed.push(text) });

    expect(code).toBe(0);
    const report = JSON.parse(printed.join('')) as { worstCaseSeconds: number; targetSeconds: number; parts: { name: string; seconds: number; source: string }[] };
    expect(report).toEqual({ worstCaseSeconds: rtoOf(subject()).worstCaseSeconds, targetSeconds: 300, parts: expect.any(Array) });
    expect(report.worstCaseSeconds).toBeLessThanOrEqual(300);
    for (const part of report.parts) expect(part).toEqual({ name: expect.any(String), seconds: expect.any(Number), source: expect.any(String) });
  });

  it.each([
    [{ pollIntervalSeconds: 120, maxPolls: 5 }, 'check-writer'],
    [{ requestInterval: 30, failureThreshold: 10 }, 'dns: health check fails'],
  ])('fails a deliberately slow configuration (%j) with one line naming the part', (slow, part) => {
    const printed: string[] = [];

    const run = () => runRto([], { build: () => subject(slow), out: (text) => printed.push(text) });

    expect(run).toThrow(CliError);
    expect(run).toThrow(new RegExp(`^worst-case RTO [\\d.]+ s exceeds the target 300 s; the largest part is ${part} \\(`));
    expect(() => run()).toThrow(expect.objectContaining({ exitCode: 1, message: expect.not.stringContaining('\n') }));
    expect(printed.join('\n')).toContain('OVER');
  });

  it('prints a table with the worst case against the target', () => {
    expect(formatRto(rtoOf(subject()))).toMatch(/^detection +90 s {2}the later of probe 43 s[\s\S]*worst case +[\d.]+ s {2}target 300 s: within$/);
  });

  it('rejects an unknown option before building anything, with its usage', async () => {
    const errors: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      errors.push(String(text));
      return true;
    });
    try {
      await expect(main(['rto', '--bogus'])).resolves.toBe(2);
    } finally {
      write.mockRestore();
    }
    expect(errors.join('')).toMatch(/^drctl: .*--bogus.*usage: drctl rto \[--json\] \[--env <name>\]\n$/);
  });

  it(
    'keeps the reference app (infra/app.ts) within its 300 s target, every part with a source',
    () => {
      const budget = rtoOf(referenceRtoSubject('dev'));

      expect(budget.targetSeconds).toBe(300);
      expect(budget.parts.every((p) => p.source.length > 0)).toBe(true);
      expect(rtoViolation(budget)).toBeUndefined();
    },
    180_000,
  );
});
