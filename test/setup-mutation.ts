import fc from 'fast-check';

// The mutation run (jest.mutation.config.cjs) runs every covering test once per mutant: fewer runs
// of each property and the model, and one seed, so a run is repeatable and fits the time.
process.env.MODEL_RUNS ??= '100';
process.env.MODEL_SEED ??= '20261130';
process.env.TRUST_RUNS ??= '100';
process.env.PROPERTY_RUNS ??= '100';
process.env.FUZZ_RUNS ??= '300';
fc.configureGlobal({ seed: Number(process.env.MUTATION_SEED ?? 20261130) });
