// Mutation testing of the decision core and the edge: `npm run mutation` (a full run took 82 min on two
// cores; not part of `npm test`). bench/mutation-report.ts turns Stryker's JSON report into the
// score and the survivor list under bench/results/.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutation.config.cjs', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  mutate: ['domain/**/*.ts', 'edge/event.parser.ts', 'edge/config.schema.ts'],
  // The score counts logic mutants; a string literal's text is wording, not a rule.
  mutator: { excludedMutations: ['StringLiteral'] },
  concurrency: 2,
  timeoutMS: 10000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['json', 'html', 'progress', 'clear-text'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  ignorePatterns: ['cdk.out', 'coverage', 'reports', 'bench/results', '.git'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
