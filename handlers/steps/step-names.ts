/**
 * The failover workflow's steps, in the order a successful run takes them (`report-halt` runs only
 * when a step fails). Each name is a `handlers/steps/<name>.handler.ts` file and the `DR_STEP`
 * environment variable of its Lambda function (how tests map a Task back to its step).
 */
export const FAILOVER_STEPS = [
  'preflight',
  'fence-old-region',
  'promote-database',
  'check-writer',
  'shift-traffic',
  'update-config',
  'verify-recovery',
  'announce',
  'report-halt',
] as const;

export type FailoverStep = (typeof FAILOVER_STEPS)[number];
