import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Real AWS payloads copied from AWS documentation (see the folder's README). Read from disk at test
 * time, never copied into tests; `AWS_FIXTURES_DIR` points elsewhere on other machines.
 */
export const AWS_FIXTURES_DIR = process.env.AWS_FIXTURES_DIR ?? resolve(__dirname, '../fixtures/aws');

/** A JSON object as a test may mutate it. */
export type Json = Record<string, unknown>;

/** A fresh copy of one fixture, free to mutate. */
export function readFixture(name: string): Json {
  return JSON.parse(readFileSync(join(AWS_FIXTURES_DIR, name), 'utf8')) as Json;
}

/** Every fixture that is an EventBridge event (it has `source` and `detail-type`), by file name. */
export function eventBridgeFixtures(): { name: string; event: Json }[] {
  return readdirSync(AWS_FIXTURES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => ({ name, event: readFixture(name) }))
    .filter(({ event }) => typeof event === 'object' && event !== null && 'source' in event && 'detail-type' in event);
}

/** The object at `path` inside `root` (for editing a copied fixture). */
export function at(root: Json, ...path: string[]): Json {
  return path.reduce<Json>((node, key) => node[key] as Json, root);
}
