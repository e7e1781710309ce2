/**
 * Dependency rules of the hexagon (see ARCHITECTURE.md "Dependency rules").
 * A rule that fails the build beats a rule in a document.
 */

/**
 * A forbidden dependency, always an error: no module matching `from` may import a module matching `to`.
 * @param {string} name
 * @param {string} comment
 * @param {import('dependency-cruiser').IFromRestriction} from
 * @param {import('dependency-cruiser').IToRestriction} to
 * @returns {import('dependency-cruiser').IForbiddenRuleType}
 */
function forbid(name, comment, from, to) {
  return { name, severity: 'error', comment, from, to };
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      'domain-is-pure',
      'domain/ imports only domain/: no AWS SDK, CDK, middy, Powertools, zod, node built-ins or outer layers.',
      { path: '^domain/' },
      { pathNot: '^domain/' },
    ),
    forbid(
      'edge-parses-only',
      'edge/ turns raw input into domain types: it may use domain/ and zod, nothing with I/O.',
      { path: '^edge/' },
      { pathNot: '^(edge|domain)/|node_modules/zod/' },
    ),
    forbid(
      'adapters-not-outer',
      'adapters/ may use domain/ and SDKs, never handlers/, infra/ or cli/.',
      { path: '^adapters/' },
      { path: '^(handlers|infra|cli)/' },
    ),
    forbid(
      'handlers-not-infra',
      'handlers/ run in Lambda; they must not pull in CDK code.',
      { path: '^handlers/' },
      { path: '^(infra|cli)/|node_modules/(aws-cdk-lib|constructs|cdk-nag)/' },
    ),
    forbid(
      'controller-stands-alone',
      'infra/controller/ is what any CDK app adopts: it never imports the reference workload (infra/workload/, infra/protected-payments.ts) nor the reference app (infra/app.ts).',
      { path: '^infra/controller/' },
      { path: '^infra/(workload/|protected-payments\\.ts$|app\\.ts$)' },
    ),
    forbid(
      'no-product-to-test',
      'Product code never imports tests or benchmarks.',
      { path: '^(domain|adapters|handlers|infra|cli|local)/' },
      { path: '^(test|bench)/' },
    ),
    forbid(
      'local-only-from-cli-and-tests',
      'local/ is the simulated AWS (moto, the local state machine, event routing, FIFO delivery, the simulated clock and world): ' +
        'only the CLI (drill, sandbox), tests and benchmarks use it. Nothing that deploys or runs in Lambda may.',
      { pathNot: '^(cli|test|bench|local)/' },
      { path: '^local/' },
    ),
    forbid(
      'local-below-cli',
      'local/ sits below the CLI: it must not import cli/ (the drill is built on it, not the other way round).',
      { path: '^local/' },
      { path: '^cli/' },
    ),
    forbid(
      'tests-not-into-the-drill',
      'cli/drill/ holds scenarios, runner and report; only its own tests (test/cli/) import it. Other tests use local/ or test/support/.',
      { path: '^test/', pathNot: '^test/cli/' },
      { path: '^cli/drill/' },
    ),
    forbid('no-circular', 'No cycles anywhere.', {}, { circular: true }),
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
