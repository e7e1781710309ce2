import { protectedPaymentsConfig, protectedPaymentsResources, referenceWorkloadProps } from '../protected-payments';
import { resolveWorkloadProps } from '../workload/workload-props';
import type { ControllerSettings } from './controller-stacks';

/**
 * Example Route 53 ids for a controller deployed on its own, next to a workload that already exists
 * (AWS generates these ids; copy yours from Route 53). `infra/app.ts` deploys the workload too and
 * reads the real ids from its stacks instead (`infra/protected-payments.ts`).
 */
export const REFERENCE_TRAFFIC_IDS = {
  hostedZoneId: 'Z0REFERENCEPAYMENTS',
  healthCheckIds: {
    'us-east-1': 'a1b2c3d4-0000-4000-8000-0000000000e1',
    'us-east-2': 'a1b2c3d4-0000-4000-8000-0000000000e2',
  },
} as const;

/**
 * Controller settings of the reference payments workload (active us-east-1, standby us-east-2) in
 * `envName`: the signals are the workload's alarms, the resource identifiers follow the workload's
 * naming (`payments-<env>-…`); the Route 53 ids are {@link REFERENCE_TRAFFIC_IDS}.
 *
 * @param account the deploying account; undefined keeps ARNs account-agnostic (`AWS::AccountId`)
 */
export function referenceSettings(envName: string, account?: string): ControllerSettings {
  return {
    envName,
    account,
    // The same configuration and names infra/app.ts deploys; only the Route 53 ids are examples.
    config: protectedPaymentsConfig(envName),
    resources: protectedPaymentsResources(resolveWorkloadProps(referenceWorkloadProps(envName, account)), REFERENCE_TRAFFIC_IDS, account),
  };
}
