import type { Region } from '../domain/config';
import type { ControllerSettings } from '../infra/controller/controller-stacks';
import type { RtoBudget, RtoInputs } from '../infra/controller/rto-model';
import type { TemplateJson } from './state-machine';

/** What `cdk synth` produced, as the local AWS reads it: stacks, their rules, and the RTO model's view of them. */

/** One synthesized stack: where it deploys and its template. */
export interface SynthesizedStack {
  readonly name: string;
  readonly region: Region;
  readonly account: string;
  readonly template: TemplateJson;
}

export interface PlannedTarget {
  readonly id: string;
  readonly arn: string;
  readonly messageGroupId?: string;
  readonly roleArn?: string;
  readonly deadLetterArn?: string;
}

export interface PlannedRule {
  readonly region: Region;
  /** `default` or a custom bus's name. */
  readonly busName: string;
  readonly name: string;
  readonly eventPattern?: Record<string, unknown>;
  readonly scheduleExpression?: string;
  readonly targets: readonly PlannedTarget[];
}

/** The reference app as `cdk synth` makes it: the controller's stacks, and the workload's. */
export interface SynthesizedReference {
  readonly settings: ControllerSettings;
  /** The controller stack and the alarm-forwarding stacks: what the drill provisions. */
  readonly stacks: readonly SynthesizedStack[];
  /** The payment workload's stacks: where its alarms, health checks and records are defined. */
  readonly workloadStacks: readonly SynthesizedStack[];
  /**
   * The RTO model's inputs read from these stacks, and its budget: exactly what `drctl rto` computes
   * for the same app (`rtoInputsOf`, `rtoOf`). The drill takes every duration it simulates from them.
   */
  readonly rto: { readonly inputs: RtoInputs; readonly budget: RtoBudget };
}
