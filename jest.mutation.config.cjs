/**
 * Jest as the mutation run uses it (`npm run mutation`): only the tests that state the engine's and
 * the edge's rules, with the property and model runs cut (test/setup-mutation.ts) so that a full run
 * takes about 80 minutes on two cores, and fixed seeds so that a mutant is killed (or not) the same
 * way on every run.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.cjs');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/domain', '<rootDir>/test/edge'],
  setupFiles: [...base.setupFiles, '<rootDir>/test/setup-mutation.ts'],
};
