/**
 * Dependency rules of the hexagon (see ARCHITECTURE.md "Dependency rules").
 * A rule that fails the build beats a rule in a document.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'domain/ imports only domain/: no AWS SDK, CDK, middy, Powertools, zod, node built-ins or outer layers.',
      from: { path: '^domain/' },
      to: { pathNot: '^domain/' },
    },
    {
      name: 'edge-parses-only',
      severity: 'error',
      comment: 'edge/ turns raw input into domain types: it may use domain/ and zod, nothing with I/O.',
      from: { path: '^edge/' },
      to: { pathNot: '^(edge|domain)/|node_modules/zod/' },
    },
    {
      name: 'adapters-not-outer',
      severity: 'error',
      comment: 'adapters/ may use domain/ and SDKs, never handlers/, infra/ or cli/.',
      from: { path: '^adapters/' },
      to: { path: '^(handlers|infra|cli)/' },
    },
    {
      name: 'handlers-not-infra',
      severity: 'error',
      comment: 'handlers/ run in Lambda; they must not pull in CDK code.',
      from: { path: '^handlers/' },
      to: { path: '^(infra|cli)/|node_modules/(aws-cdk-lib|constructs|cdk-nag)/' },
    },
    {
      name: 'controller-stands-alone',
      severity: 'error',
      comment: 'infra/controller/ is what any CDK app adopts: it never imports the reference workload (infra/workload/, infra/protected-payments.ts) nor the reference app (infra/app.ts).',
      from: { path: '^infra/controller/' },
      to: { path: '^infra/(workload/|protected-payments\\.ts$|app\\.ts$)' },
    },
    {
      name: 'no-product-to-test',
      severity: 'error',
      comment: 'Product code never imports tests or benchmarks.',
      from: { path: '^(domain|adapters|handlers|infra|cli|local)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'local-only-from-cli-and-tests',
      severity: 'error',
      comment:
        'local/ is the simulated AWS (moto, the local state machine, event routing, FIFO delivery, the simulated clock and world): ' +
        'only the CLI (drill, sandbox), tests and benchmarks use it. Nothing that deploys or runs in Lambda may.',
      from: { pathNot: '^(cli|test|bench|local)/' },
      to: { path: '^local/' },
    },
    {
      name: 'local-below-cli',
      severity: 'error',
      comment: 'local/ sits below the CLI: it must not import cli/ (the drill is built on it, not the other way round).',
      from: { path: '^local/' },
      to: { path: '^cli/' },
    },
    {
      name: 'tests-not-into-the-drill',
      severity: 'error',
      comment: 'cli/drill/ holds scenarios, runner and report; only its own tests (test/cli/) import it. Other tests use local/ or test/support/.',
      from: { path: '^test/', pathNot: '^test/cli/' },
      to: { path: '^cli/drill/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No cycles anywhere.',
      from: {},
      to: { circular: true },
    },
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
