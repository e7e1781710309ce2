import { Tags, type App, type Stack } from 'aws-cdk-lib';
import type { Region, SignalConfig } from '../../domain/config';
import { ROUTE53_METRICS_REGION, workloadSignals } from './workload-alarms.construct';
import { WorkloadDataStack } from './workload-data.stack';
import { WorkloadDnsStack } from './workload-dns.stack';
import { resolveWorkloadProps, type PaymentWorkloadProps, type WorkloadConfig } from './workload-props';
import { WorkloadRoutingStack } from './workload-routing.stack';
import { WorkloadServiceStack } from './workload-service.stack';
import { WorkloadStorageStack } from './workload-storage.stack';

export type { PaymentWorkloadProps } from './workload-props';

/** Every stack of the payment workload, plus what the DR controller needs to protect it. */
export interface PaymentWorkload {
  /** Validated props with derived names (parameter prefix, global cluster id, record name, …). */
  readonly config: WorkloadConfig;
  readonly dns: WorkloadDnsStack;
  readonly data: Readonly<Record<Region, WorkloadDataStack>>;
  readonly storage: Readonly<Record<Region, WorkloadStorageStack>>;
  readonly services: Readonly<Record<Region, WorkloadServiceStack>>;
  readonly routing: WorkloadRoutingStack;
  /** Every stack above, in deployment order. */
  readonly stacks: readonly Stack[];
  /**
   * Each region's own API stage URL (`https://<id>.execute-api.<region>.amazonaws.com/prod/`), a
   * token of that region's service stack: a stack in another region that reads it gets a CDK
   * cross-region reference (`crossRegionReferences: true` on the reading stack). `<url>health` is
   * the unauthenticated readiness probe.
   */
  readonly regionalApiUrls: Readonly<Record<Region, string>>;
  /** The controller's signal list: every workload alarm, by the name it is created with. */
  readonly signals: readonly SignalConfig[];
}

/**
 * Add the protected reference workload (the payment system) to `app`: per region a data stack
 * (network, Aurora member, and in the primary the global cluster and DynamoDB global table), a
 * storage stack (documents bucket; the primary's replicates to the standbys) and a service stack
 * (Lambdas, REST API, SSM parameters, alarms, dashboard); in us-east-1 a DNS stack (hosted zone)
 * and a routing stack (health checks, weighted records, health-check alarms).
 *
 * Deployment order, enforced with stack dependencies: DNS → primary data → standby data;
 * standby storage → primary storage; data + storage + DNS → service (a standby's service also
 * after the primary storage: it turns on replication back into the primary bucket); services →
 * routing.
 * Stack names: `<app>-<envName>-<region>-{data,storage,service}`, `<app>-<envName>-{dns,routing}`.
 */
export function addPaymentWorkload(app: App, props: PaymentWorkloadProps): PaymentWorkload {
  const config = resolveWorkloadProps(props);
  const env = (region: Region) => ({ account: config.account, region });
  const tagged = <T extends Stack>(stack: T): T => {
    // cfn-lint 1.51's schema predates Tags on AWS::CloudWatch::Dashboard, so dashboards go untagged.
    const options = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
    Tags.of(stack).add('app', config.app, options);
    Tags.of(stack).add('env', config.envName, options);
    return stack;
  };
  const description = (what: string) => `${config.prefix} payment workload: ${what}`;

  const dns = tagged(
    new WorkloadDnsStack(app, `${config.prefix}-dns`, {
      config,
      env: env(ROUTE53_METRICS_REGION),
      description: description('hosted zone'),
    }),
  );

  const data: Record<Region, WorkloadDataStack> = {};
  const storage: Record<Region, WorkloadStorageStack> = {};
  for (const region of config.regions) {
    const id = config.regionPrefix(region);
    data[region] = tagged(new WorkloadDataStack(app, `${id}-data`, { config, region, env: env(region), description: description(`network and database in ${region}`) }));
    storage[region] = tagged(new WorkloadStorageStack(app, `${id}-storage`, { config, region, env: env(region), description: description(`documents bucket in ${region}`) }));
  }
  const primaryData = data[config.primaryRegion] as WorkloadDataStack;
  const primaryStorage = storage[config.primaryRegion] as WorkloadStorageStack;
  for (const standby of config.standbyRegions) {
    (data[standby] as WorkloadDataStack).addStackDependency(primaryData, 'joins the global cluster and uses the table replica the primary creates');
    primaryStorage.addStackDependency(storage[standby] as WorkloadStorageStack, 'replicates into the standby bucket, which must exist first');
  }

  const services: Record<Region, WorkloadServiceStack> = {};
  for (const region of config.regions) {
    const regionStorage = storage[region] as WorkloadStorageStack;
    const service = tagged(
      new WorkloadServiceStack(app, `${config.regionPrefix(region)}-service`, {
        config,
        region,
        data: data[region] as WorkloadDataStack,
        hostedZone: dns.hostedZone,
        documentsBucketName: config.documentsBucketName(region, regionStorage.account),
        globalWriterEndpoint: (primaryData as WorkloadDataStack).database.globalWriterEndpoint as string,
        env: env(region),
        description: description(`payment functions, API, parameters, alarms and dashboard in ${region}`),
      }),
    );
    service.addStackDependency(regionStorage, 'publishes the documents bucket name');
    service.addStackDependency(primaryData, 'uses the table replicas, the global writer endpoint and the API token key the primary creates');
    if (region !== config.primaryRegion) {
      service.addStackDependency(primaryStorage, 'replicates its documents bucket back into the primary bucket, which must exist first');
    }
    services[region] = service;
  }

  const routing = tagged(
    new WorkloadRoutingStack(app, `${config.prefix}-routing`, {
      config,
      hostedZone: dns.hostedZone,
      services,
      env: env(ROUTE53_METRICS_REGION),
      description: description('health checks, weighted API records and health-check alarms'),
    }),
  );

  const ordered = (stacks: Record<Region, Stack>) => config.regions.map((region) => stacks[region] as Stack);
  return {
    config,
    dns,
    data,
    storage,
    services,
    routing,
    regionalApiUrls: Object.fromEntries(config.regions.map((region) => [region, (services[region] as WorkloadServiceStack).regionalApiUrl])),
    stacks: [dns, ...ordered(data), ...[...ordered(storage)].reverse(), ...ordered(services), routing],
    signals: workloadSignals({ app: config.app, envName: config.envName, regions: config.regions }),
  };
}
