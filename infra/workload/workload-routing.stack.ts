import { Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { API_STAGE } from './payment-api.construct';
import { HealthCheckAlarms, ROUTE53_METRICS_REGION } from './workload-alarms.construct';
import type { WorkloadConfig } from './workload-props';
import type { WorkloadServiceStack } from './workload-service.stack';

/** Props of {@link WorkloadRoutingStack}. */
export interface WorkloadRoutingStackProps extends StackProps {
  readonly config: WorkloadConfig;
  readonly hostedZone: route53.IHostedZone;
  /** Every region's service stack, by region. */
  readonly services: Readonly<Record<Region, WorkloadServiceStack>>;
}

/** Weight of the primary region's record; every standby's record starts at 0. */
export const PRIMARY_WEIGHT = 100;

/**
 * Traffic routing, in us-east-1 (the only region where Route 53 publishes health-check metrics):
 *
 * - one HTTPS health check per region on its API's own execute-api host, path `/prod/health`
 *   (every 30 s, unhealthy after 3 failures), so each check judges exactly one region;
 * - one weighted alias A record per region for `api.<domain>`, `SetIdentifier` = region name,
 *   primary weight 100 and standbys 0, each with its region's health check attached. These are
 *   the records the controller's traffic adapter shifts. When every non-zero record is unhealthy,
 *   Route 53 answers with the healthy zero-weight ones, so traffic moves even before the controller
 *   changes weights;
 * - one `HealthCheckStatus` alarm per health check, named after the region it probes.
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export class WorkloadRoutingStack extends Stack {
  /** Region → Route 53 health check id (a token), for the controller's traffic adapter. */
  readonly healthCheckIds: Readonly<Record<Region, string>>;
  readonly records: Readonly<Record<Region, route53.ARecord>>;
  readonly healthCheckAlarms: HealthCheckAlarms;

  constructor(scope: Construct, id: string, props: WorkloadRoutingStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    if (this.region !== ROUTE53_METRICS_REGION) {
      throw new Error(`the routing stack must be in ${ROUTE53_METRICS_REGION} (Route 53 health-check metrics exist only there), got '${this.region}'`);
    }

    const healthCheckIds: Record<Region, string> = {};
    const records: Record<Region, route53.ARecord> = {};
    for (const region of config.regions) {
      const service = props.services[region];
      if (!service) throw new Error(`routing needs the service stack of every region; ${region} is missing`);
      const restApi = service.api.api;

      const healthCheck = new route53.HealthCheck(this, `HealthCheck-${region}`, {
        type: route53.HealthCheckType.HTTPS,
        fqdn: `${restApi.restApiId}.execute-api.${region}.${this.urlSuffix}`,
        port: 443,
        resourcePath: `/${API_STAGE}/health`,
        enableSNI: true,
        requestInterval: Duration.seconds(30),
        failureThreshold: 3,
      });
      Tags.of(healthCheck).add('Name', `${config.regionPrefix(region)}-health`);
      healthCheckIds[region] = healthCheck.healthCheckId;

      const domainName = restApi.domainName;
      if (!domainName) throw new Error(`the ${region} API has no custom domain; the weighted records alias it`);
      records[region] = new route53.ARecord(this, `ApiRecord-${region}`, {
        zone: props.hostedZone,
        recordName: config.apiRecordName,
        target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName)),
        weight: region === config.primaryRegion ? PRIMARY_WEIGHT : 0,
        setIdentifier: region,
        healthCheck,
      });
    }
    this.healthCheckIds = healthCheckIds;
    this.records = records;

    this.healthCheckAlarms = new HealthCheckAlarms(this, 'HealthCheckAlarms', {
      naming: { app: config.app, envName: config.envName, regions: config.regions },
      healthCheckIds,
    });
  }
}
