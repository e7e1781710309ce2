/**
 * The failover steps' names, for code that needs only them. The registry (`step-registry.ts`) is
 * their one source: this module re-exports its derived list and type.
 */
export { FAILOVER_STEPS, type FailoverStep } from './step-registry';
