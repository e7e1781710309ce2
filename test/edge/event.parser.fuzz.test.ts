import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { isPlausibleEpochMs } from '../../edge/aws-formats';
import { parseEvent, UNREADABLE_EVENT, type ParseResult } from '../../edge/event.parser';
import { eventBridgeFixtures, type Json } from './aws-fixtures';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10000);
/** The narrower properties below need fewer runs to cover their input space. */
const SIDE_RUNS = Math.ceil(RUNS / 5);
const EVENT_TYPES = ['signal-changed', 'tick', 'heartbeat', 'override', 'workflow-ended'];

/** Real payloads: AWS's documented events, plus the examples' events (same formats, our own sources). */
function seedEvents(): Json[] {
  const examples = resolve(__dirname, '../../examples');
  const replay = (name: string) =>
    readFileSync(resolve(examples, name), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.endsWith('}'))
      .map((line) => JSON.parse(line) as Json);
  const override = JSON.parse(readFileSync(resolve(examples, 'operator-override.json'), 'utf8')) as Json;
  // The blackout holds heartbeats (scheduled events of `…-heartbeat` rules) and a wake-up.
  return [...eventBridgeFixtures().map(({ event }) => event), ...replay('region-outage.jsonl'), ...replay('region-blackout.jsonl'), override];
}

const seeds = seedEvents();
const alarmSeeds = seeds.filter((event) => event['detail-type'] === 'CloudWatch Alarm State Change');

type Container = Json | unknown[];

const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** Changes a value into one of another JSON type. */
const retypers: ((value: unknown) => unknown)[] = [
  (value) => (typeof value === 'string' ? Number(value.length) : String(value)),
  (value) => (isContainer(value) ? Object.values(value) : [value]),
  (value) => (Array.isArray(value) ? Object.fromEntries(value.entries()) : { value }),
  (value) => (value === null ? false : null),
  (value) => (typeof value === 'number' ? -value * 1e308 : 2 ** 53 + 1),
  (value) => JSON.stringify(value ?? null),
];

interface Mutation {
  readonly path: readonly number[];
  readonly op: 'delete' | 'replace' | 'retype' | 'truncate' | 'add';
  readonly value: unknown;
  readonly retype: number;
  readonly cut: number;
  readonly key: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  path: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
  op: fc.constantFrom('delete', 'replace', 'retype', 'truncate', 'add'),
  value: fc.jsonValue({ maxDepth: 3 }),
  retype: fc.nat(),
  cut: fc.nat(),
  key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'value', 'status', 'detail'), fc.string()),
});

/** Walks `path` (each step picks a child by index modulo its size) and applies the mutation there. */
function mutate(root: Json, mutation: Mutation): void {
  let parent: Container = root;
  let key: string = '';
  for (const [depth, step] of mutation.path.entries()) {
    const keys: string[] = Object.keys(parent);
    if (keys.length === 0) break;
    key = keys[step % keys.length] as string;
    const child: unknown = (parent as Json)[key];
    if (depth === mutation.path.length - 1 || !isContainer(child)) break;
    parent = child;
  }
  const target = parent as Json;
  const current = target[key];
  switch (mutation.op) {
    case 'delete':
      delete target[key];
      break;
    case 'replace':
      target[key] = mutation.value;
      break;
    case 'retype':
      target[key] = retypers[mutation.retype % retypers.length]?.(current);
      break;
    case 'truncate':
      target[key] = typeof current === 'string' ? current.slice(0, mutation.cut % (current.length + 1)) : mutation.value;
      break;
    case 'add':
      // As JSON.parse does it: an own property even for `__proto__`.
      Object.defineProperty(target, mutation.key, { value: mutation.value, enumerable: true, writable: true, configurable: true });
      break;
  }
}

/** What every result must satisfy, whatever the input. */
function expectWellFormed(result: ParseResult, input: 'json' | 'anything'): void {
  if (result.ok) {
    expect(EVENT_TYPES).toContain(result.event.type);
    expect(result.event.eventId).toMatch(/\S/);
    expect(isPlausibleEpochMs(result.event.at)).toBe(true);
  } else {
    expect(result.reason).toMatch(/\S/);
    if (result.field !== undefined) expect(result.field).toMatch(/\S/);
    if (input === 'json') expect(result.reason.startsWith(UNREADABLE_EVENT)).toBe(false);
  }
}

describe('parseEvent (fuzzed)', () => {
  it('has real payloads to mutate', () => {
    // Assert
    expect(new Set(seeds.map((event) => event['detail-type']))).toEqual(
      new Set(['CloudWatch Alarm State Change', 'CloudWatch Alarm Configuration Change', 'Step Functions Execution Status Change', 'Scheduled Event', 'DR Override', 'DR Wake-up']),
    );
    expect(seeds.flatMap((event) => {
      const result = parseEvent(event);
      return result.ok ? [result.event.type] : [];
    })).toEqual(expect.arrayContaining(['heartbeat', 'tick']));
  });

  it('never throws on real payloads with fields deleted, replaced, retyped, truncated or added at any depth', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        // Arrange
        const event = structuredClone(seed);
        for (const mutation of mutations) mutate(event, mutation);

        // Act
        const result = parseEvent(event);

        // Assert
        expectWellFormed(result, 'json');
      }),
      { numRuns: RUNS },
    );
  });

  it('parses an alarm state change the same whatever its reasonData holds, truncated JSON included', () => {
    fc.assert(
      fc.property(fc.constantFrom(...alarmSeeds), fc.nat(), fc.option(fc.jsonValue({ maxDepth: 2 })), (seed, cut, replacement) => {
        // Arrange
        const event = structuredClone(seed);
        const state = (event.detail as Json).state as Json;
        const reasonData = typeof state.reasonData === 'string' ? state.reasonData : '{"version":"1.0"}';
        state.reasonData = replacement ?? reasonData.slice(0, cut % (reasonData.length + 1));

        // Act
        const result = parseEvent(event);

        // Assert
        expect(result).toEqual(parseEvent(seed));
      }),
      { numRuns: SIDE_RUNS },
    );
  });

  it('never throws on known envelopes carrying random details', () => {
    const known = [...new Map(seeds.map((event) => [`${String(event.source)}|${String(event['detail-type'])}`, event])).values()];
    fc.assert(
      fc.property(fc.constantFrom(...known), fc.jsonValue({ maxDepth: 4 }), (seed, detail) => {
        // Arrange
        const event = { ...seed, detail };

        // Act
        const result = parseEvent(event);

        // Assert
        expectWellFormed(result, 'json');
      }),
      { numRuns: SIDE_RUNS },
    );
  });

  it('never throws on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (raw) => {
        // Act
        const result = parseEvent(raw);

        // Assert
        expectWellFormed(result, 'json');
      }),
      { numRuns: SIDE_RUNS },
    );
  });

  it('never throws on values JSON cannot even express', () => {
    fc.assert(
      fc.property(
        fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withTypedArray: true }),
        (raw) => {
          // Act
          const result = parseEvent(raw);

          // Assert
          expectWellFormed(result, 'anything');
        },
      ),
      { numRuns: SIDE_RUNS },
    );
  });
});
