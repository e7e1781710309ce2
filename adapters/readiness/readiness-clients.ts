import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { Region } from '../../domain/config';
import type { ReadinessClients } from './aws-readiness-world.adapter';

/** Settings of one SDK client (region, deadlines, endpoint, credentials) for the region it reads. */
export type ClientSettings = (region: Region) => { readonly region: string } & Record<string, unknown>;

/**
 * The clients {@link ReadinessClients} names, with the same `settings` for each: the regional ones
 * (RDS, CloudWatch, SSM) built on first use, once per region; Route 53 in us-east-1 (its API's
 * region); the controller's own resources (Step Functions, Lambda, SQS, DynamoDB) in `home`, the
 * controller region. `track` is told about every client built, for a caller that destroys them.
 *
 * @see https://docs.aws.amazon.com/general/latest/gr/r53.html (Route 53's API endpoint is in us-east-1)
 */
export function readinessClients(settings: ClientSettings, home: Region, track: (client: { destroy(): void }) => void = () => undefined): ReadinessClients {
  const make = <T extends { destroy(): void }>(client: T): T => {
    track(client);
    return client;
  };
  const regional = <T extends { destroy(): void }>(build: (region: Region) => T) => {
    const cache = new Map<Region, T>();
    return (region: Region): T => {
      const built = cache.get(region) ?? make(build(region));
      cache.set(region, built);
      return built;
    };
  };
  return {
    rds: regional((r) => new RDSClient(settings(r))),
    cloudWatch: regional((r) => new CloudWatchClient(settings(r))),
    ssm: regional((r) => new SSMClient(settings(r))),
    route53: make(new Route53Client(settings('us-east-1'))),
    stepFunctions: make(new SFNClient(settings(home))),
    lambda: make(new LambdaClient(settings(home))),
    sqs: make(new SQSClient(settings(home))),
    dynamodb: make(new DynamoDBClient(settings(home))),
  };
}
