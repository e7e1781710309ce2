import { Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { Region } from '../../domain/config';
import { API_STAGE } from './payment-api.construct';
import { HealthCheckAlarms, ROUTE53_METRICS_REGION, workloadAlarmTopic } from './workload-alarms.construct';
import type { WorkloadConfig } from './workload-props';
import type { WorkloadServiceStack } from './workload-service.stack';

/** Props of {@link WorkloadRoutingStack}. */
export interface WorkloadRoutingStackProps extends StackProps {
  readonly config: WorkloadConfig;
  readonly hostedZone: route53.IHostedZone;
  /** Every region's service stack, by region. */
  readonly services: Readonly<Record<Region, WorkloadServiceStack>>;
  /**
   * Topic (in us-east-1) the health-check alarms notify on ALARM and on OK.
   * @default - a topic `<app>-<envName>-routing-alarms`, encrypted with a key CloudWatch may use; subscribe to it
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Weight of the primary region's record; every standby's record starts at 0. */
export const PRIMARY_WEIGHT = 100;

/**
 * Route 53's fast health-check interval and the failures before a region counts as unhealthy:
 * a dead region is out of DNS answers within 10 s × 3 = 30 s of its first failed check.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html#health-checks-creating-values-request-interval
 */
export const HEALTH_CHECK_INTERVAL_SECONDS = 10;
export const HEALTH_CHECK_FAILURE_THRESHOLD = 3;

/**
 * TTL of the weighted records: how long resolvers may keep answering with the old region after
 * the controller shifts weights or a health check fails. An alias record cannot carry a TTL (it
 * takes the target's), so the records are CNAMEs to each region's API Gateway domain.
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html
 */
export const API_RECORD_TTL_SECONDS = 30;

/** Type of the weighted records the controller's traffic adapter shifts (its `recordType`). */
export const API_RECORD_TYPE = 'CNAME';

/**
 * Traffic routing, in us-east-1 (the only region where Route 53 publishes health-check metrics):
 *
 * - one HTTPS health check per region on its API's own execute-api host, path `/prod/health`
 *   (every 10 s, unhealthy after 3 failures), so each check judges exactly one region;
 * - one weighted CNAME record per region for `api.<domain>` (TTL 30 s) to that region's API Gateway
 *   domain, `SetIdentifier` = region name, primary weight 100 and standbys 0, each with its
 *   region's health check attached. These are
 *   the records the controller's traffic adapter shifts. When every non-zero record is unhealthy,
 *   Route 53 answers with the healthy zero-weight ones, so traffic moves even before the controller
 *   changes weights;
 * - one `HealthCheckStatus` alarm per health check, named after the region it probes, notifying
 *   an encrypted topic of this stack (alarm actions must be in the alarm's region).
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-how-route-53-chooses-records.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html
 */
export class WorkloadRoutingStack extends Stack {
  /** Region → Route 53 health check id (a token), for the controller's traffic adapter. */
  readonly healthCheckIds: Readonly<Record<Region, string>>;
  readonly records: Readonly<Record<Region, route53.CnameRecord>>;
  readonly healthCheckAlarms: HealthCheckAlarms;
  /** The topic the health-check alarms notify. */
  readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: WorkloadRoutingStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config } = props;
    const problems: string[] = [];
    this.node.addValidation({ validate: () => problems });
    if (this.region !== ROUTE53_METRICS_REGION) {
      problems.push(`the routing stack must be in ${ROUTE53_METRICS_REGION} (Route 53 health-check metrics exist only there), got '${this.region}'`);
    }

    const healthCheckIds: Record<Region, string> = {};
    const records: Record<Region, route53.CnameRecord> = {};
    for (const region of config.regions) {
      const service = props.services[region];
      if (!service) {
        problems.push(`routing needs the service stack of every region; ${region} is missing`);
        continue;
      }
      const restApi = service.api.api;

      const healthCheck = new route53.HealthCheck(this, `HealthCheck-${region}`, {
        type: route53.HealthCheckType.HTTPS,
        fqdn: `${restApi.restApiId}.execute-api.${region}.${this.urlSuffix}`,
        port: 443,
        resourcePath: `/${API_STAGE}/health`,
        enableSNI: true,
        requestInterval: Duration.seconds(HEALTH_CHECK_INTERVAL_SECONDS),
        failureThreshold: HEALTH_CHECK_FAILURE_THRESHOLD,
      });
      Tags.of(healthCheck).add('Name', `${config.regionPrefix(region)}-health`);
      healthCheckIds[region] = healthCheck.healthCheckId;

      const domainName = restApi.domainName;
      if (!domainName) {
        problems.push(`the ${region} API has no custom domain; the weighted records alias it`);
        continue;
      }
      records[region] = new route53.CnameRecord(this, `ApiRecord-${region}`, {
        zone: props.hostedZone,
        recordName: config.apiRecordName,
        domainName: domainName.domainNameAliasDomainName,
        ttl: Duration.seconds(API_RECORD_TTL_SECONDS),
        weight: region === config.primaryRegion ? PRIMARY_WEIGHT : 0,
        setIdentifier: region,
        healthCheck,
      });
    }
    this.healthCheckIds = healthCheckIds;
    this.records = records;

    this.alarmTopic = workloadAlarmTopic(this, `${config.prefix}-routing-alarms`, props.alarmTopic);
    this.healthCheckAlarms = new HealthCheckAlarms(this, 'HealthCheckAlarms', {
      naming: { app: config.app, envName: config.envName, regions: config.regions },
      healthCheckIds,
      topic: this.alarmTopic,
    });
  }
}
