import * as z from 'zod';
import type { FailoverRequest } from '../../domain/decision';
import { InvalidWorkflowInput } from './workflow-errors';

/**
 * The failover workflow's state: the execution input (the domain `FailoverRequest`) plus each
 * step's result under its own key, placed there by the Task's `ResultPath`, so every step sees
 * the request and what the steps before it found. Each step parses it at its edge.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultpath.html
 */

const region = z.string().min(1);

export const failoverRequestSchema = z.object({
  app: z.string().min(1),
  generation: z.number().int().nonnegative(),
  executionName: z.string().min(1),
  from: region,
  target: region,
  mode: z.enum(['auto', 'manual']),
  allowDataLoss: z.boolean(),
  requestedBy: z.string(),
  reason: z.string(),
  requestedAt: z.number(),
  detectedAt: z.number().optional(),
  planned: z.literal(true).optional(),
});

/** What a Catch puts at its ResultPath: the error name and its cause. */
export const caughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

/** `preflight`: how the database will be promoted, and why. */
export const preflightResultSchema = z.object({
  mode: z.enum(['switchover', 'failover']),
  /** The target was already the writer (a re-run): nothing to promote. */
  targetAlreadyWriter: z.boolean(),
  oldWriterReachable: z.boolean(),
  /** Replication lag of the target's replica; absent when unknown. */
  lagSeconds: z.number().optional(),
  rpoBudgetSeconds: z.number(),
  /** Who allowed a failover that may lose data. */
  dataLossAllowedBy: z.enum(['operator', 'policy']).optional(),
  reason: z.string(),
});

/** `fence-old-region`, or the Pass state that records why fencing was skipped (`failure`). */
export const fenceResultSchema = z.object({
  fenced: z.boolean(),
  changed: z.array(z.string()).optional(),
  failure: caughtErrorSchema.optional(),
});

/** `promote-database`. */
export const promotionResultSchema = z.object({
  outcome: z.enum(['started', 'already-writer', 'in-progress']),
  mode: z.enum(['switchover', 'failover']),
});

/** `check-writer`: one poll of the global cluster. */
export const writerResultSchema = z.object({
  isWriter: z.boolean(),
  writerRegion: z.string().optional(),
  /** Global cluster status. */
  status: z.string(),
  /** The target cluster's own status, when it could be read. */
  clusterStatus: z.string().optional(),
  attempt: z.number().int().positive(),
});

/** `shift-traffic`, or the Pass state that records that traffic relies on health checks (`failure`). */
export const trafficResultSchema = z.object({
  shifted: z.boolean(),
  changed: z.boolean().optional(),
  relyingOnHealthChecks: z.boolean(),
  reason: z.string().optional(),
  failure: caughtErrorSchema.optional(),
});

/** `update-config`: what changed per region, and which (old) regions could not be written. */
export const configResultSchema = z.object({
  changed: z.record(z.string(), z.array(z.string())),
  skipped: z.array(z.object({ region: z.string(), reason: z.string() })),
});

/**
 * `verify-recovery`: one poll of the target region's signals; or the Pass state that records that
 * the step itself failed (`failure`, and no poll fields).
 */
export const verifyResultSchema = z.object({
  verified: z.boolean(),
  reason: z.string(),
  attempt: z.number().int().positive().optional(),
  /** Seconds from the first ALARM (or the request) to verified recovery; only when verified. */
  recoverySeconds: z.number().optional(),
  elapsedSeconds: z.number().optional(),
  alarming: z.array(z.string()).optional(),
  targetHealth: z.enum(['healthy', 'unhealthy', 'unknown']).optional(),
  failure: caughtErrorSchema.optional(),
});


export const failoverStateSchema = failoverRequestSchema.extend({
  preflight: preflightResultSchema.optional(),
  fence: fenceResultSchema.optional(),
  promotion: promotionResultSchema.optional(),
  writer: writerResultSchema.optional(),
  traffic: trafficResultSchema.optional(),
  config: configResultSchema.optional(),
  verify: verifyResultSchema.optional(),
  error: caughtErrorSchema.optional(),
});

export type PreflightResult = z.infer<typeof preflightResultSchema>;
export type FenceResult = z.infer<typeof fenceResultSchema>;
export type PromotionResult = z.infer<typeof promotionResultSchema>;
export type WriterResult = z.infer<typeof writerResultSchema>;
export type TrafficResult = z.infer<typeof trafficResultSchema>;
export type ConfigResult = z.infer<typeof configResultSchema>;
export type VerifyResult = z.infer<typeof verifyResultSchema>;
export type CaughtError = z.infer<typeof caughtErrorSchema>;
export type FailoverState = z.infer<typeof failoverStateSchema>;

// The execution input is the domain's FailoverRequest: fail the build if the two drift apart.
const requestMatchesDomain: z.ZodType<FailoverRequest> = failoverRequestSchema;
void requestMatchesDomain;

/** Parse a step's input; a malformed state is a bug or a hand-made start, never retried. */
export function parseFailoverState(input: unknown): FailoverState {
  const result = failoverStateSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(input)'}: ${issue.message}`);
  throw new InvalidWorkflowInput(
    `workflow state is not a FailoverRequest with step results (${problems.join('; ')}); start the workflow with the request the controller builds`,
  );
}

/** A step needs an earlier step's result: its absence means the state machine skipped a step. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new InvalidWorkflowInput(`workflow state has no ${what}; the state machine must run that step first`);
  return value;
}
