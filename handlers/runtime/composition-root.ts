/**
 * The composition root of the controller's Lambda functions: configuration from the environment
 * (`settings-root.ts`) and one factory per port, each building its SDK client and adapter once
 * per container, lazily, on first use. Tests build their dependencies from the in-memory twins
 * instead.
 *
 * This module gathers the whole root for tools and tests. Handlers import the `*-root.ts` modules
 * they call instead: importing this one would make their bundles load every SDK client at init
 * (see `settings-root.ts`).
 */
export { clientConfig, ConfigurationError, loadSettings, once, settings, type Settings } from './settings-root';
export { configStore } from './config-store-root';
export { database } from './database-root';
export { deadLetters } from './dead-letters-root';
export { publisher } from './publisher-root';
export { stateStore } from './state-store-root';
export { traffic } from './traffic-root';
export { workflow } from './workflow-root';
