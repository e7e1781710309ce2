import type { Region } from '../../domain/config';
import type { HealthStatus, Traffic } from '../../domain/ports/traffic.port';

/**
 * Health of a region's endpoint, or `unknown` when Route 53 cannot say: its control plane runs in
 * us-east-1, which may be the failed region, and steps never depend on the failed region's control
 * plane for success (ARCHITECTURE.md "Where the controller runs").
 *
 * @see https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/route-53-concepts.html#route-53-concepts-control-and-data-plane
 */
export async function healthOrUnknown(traffic: Traffic, region: Region): Promise<HealthStatus> {
  try {
    return await traffic.healthOf(region);
  } catch {
    return 'unknown';
  }
}

/** The message of anything thrown, for a step result that records a best-effort call's failure. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
