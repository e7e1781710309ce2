import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { PARAMETER_MAX_AGE_MS } from '../../handlers/payments/region-gate';
import { addProtectedPayments, referenceSettings } from '../../infra/protected-payments';
import { MOTO_ACCOUNT_ID } from '../../local/moto-server';
import type { SynthesizedReference } from '../../local/plan';
import type { TemplateJson } from '../../local/state-machine';
import type { RtoBudget } from '../../infra/controller/rto-model';
import { rtoInputsOf, rtoOf, type CfnTemplate, type RtoSubject } from '../rto.command';

/**
 * The app the drill and the sandbox rehearse: the reference payments controller of
 * `referenceSettings` of `infra/protected-payments.ts`, configured by `examples/config.json`, synthesized as
 * `cdk synth` makes it. The local AWS (`local/plan.ts`) reads what to stand up from these stacks.
 */

/** Environment name of the drill's deployment: names are `payments-drill-…`. */
export const DRILL_ENV = 'drill';

const synthesized = new Map<string, SynthesizedReference>();

/**
 * Synthesize the whole reference app for `envName` (the payment workload in both regions and its
 * controller, `infra/protected-payments.ts`, as `infra/app.ts` deploys it) with the account moto
 * uses, bundling skipped (the templates do not depend on the bundles). The drill provisions the
 * controller's stacks and takes every timing it simulates from the templates (alarm periods,
 * health checks, the state machine's waits). Synthesized once per process: the result depends on
 * `envName` only. The cloud assembly goes to a temporary directory that is removed again.
 *
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bundling.html
 */
export function synthesizeController(envName: string = DRILL_ENV): SynthesizedReference {
  const cached = synthesized.get(envName);
  if (cached) return cached;
  const settings = referenceSettings(envName, MOTO_ACCOUNT_ID);
  const outdir = mkdtempSync(join(tmpdir(), 'drctl-drill-cdk-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    const { controller } = addProtectedPayments(app, envName, MOTO_ACCOUNT_ID);
    const assembly = app.synth();
    const controllerStackNames = new Set([controller.controller, ...controller.forwarding].map((stack) => stack.stackName));
    const all = assembly.stacks.map((artifact) => {
      const { region, account } = artifact.environment;
      return { name: artifact.stackName, region, account, template: artifact.template as TemplateJson };
    });
    const drController = controller.controller.controller as typeof controller.controller.controller & { rto?: RtoBudget; rtoTargetSeconds?: number };
    // The subject `drctl rto` builds for the reference app (cli/rto.command.ts referenceRtoSubject), on these stacks.
    const subject: RtoSubject = {
      workflow: drController.workflow,
      config: settings.config,
      templates: all.map((stack) => stack.template as CfnTemplate),
      ...(drController.rto !== undefined && { rto: drController.rto }),
      ...(drController.rtoTargetSeconds !== undefined && { targetSeconds: drController.rtoTargetSeconds }),
      workloadConfigCacheSeconds: PARAMETER_MAX_AGE_MS / 1000,
    };
    const result: SynthesizedReference = {
      settings,
      rto: { inputs: rtoInputsOf(subject), budget: rtoOf(subject) },
      // The controller stack first: the plan reads its account and region.
      stacks: [controller.controller, ...controller.forwarding].map((stack) => all.find((s) => s.name === stack.stackName)!),
      workloadStacks: all.filter((s) => !controllerStackNames.has(s.name)),
    };
    synthesized.set(envName, result);
    return result;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
