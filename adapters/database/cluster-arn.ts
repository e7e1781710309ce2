import type { Region } from '../../domain/config';
import { PermanentAdapterError } from '../errors';

/** The member cluster ARN configured for `region`; a region without one is a configuration error. */
export function clusterArnOf(clusterArns: Readonly<Record<Region, string>>, region: Region): string {
  const arn = clusterArns[region];
  if (arn === undefined) {
    throw new PermanentAdapterError(`region "${region}" has no member cluster: add its DB cluster ARN to clusterArns (known: ${Object.keys(clusterArns).join(', ')})`);
  }
  return arn;
}
