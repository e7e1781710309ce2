import * as z from 'zod';

/**
 * Turning zod issues into messages a person can act on: every message starts with the path of the
 * field (`policy.quorum`, `signals[2].region`, `detail.state.value`), says what was expected and
 * what came, and how to fix it.
 */

const MAX_SHOWN_CHARS = 60;

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/** A short, safe rendering of a received value for an error message. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return `'${clip(value)}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) return clip(String(value));
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `['signals', 2, 'region']` → `signals[2].region`; the empty path → `root`. */
export function formatPath(path: readonly PropertyKey[], root: string): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += `${out === '' ? '' : '.'}${clip(String(key))}`;
  }
  return out === '' ? root : out;
}

/** One message per problem (an unknown key each), `path: message`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], root: string): { field: string; message: string }[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: formatPath([...issue.path, key], root), message: issue.message }))
      : [{ field: formatPath(issue.path, root), message: issue.message }],
  );
}

/** An error option for a zod schema: `expected <what>, got <value>; <fix>`. */
export function expected(what: string, fix: string): { error: (issue: { readonly input?: unknown }) => string } {
  return { error: (issue) => `expected ${what}, got ${show(issue.input)}; ${fix}` };
}

/**
 * An object schema that rejects unknown keys (typo protection), naming the key and the keys it
 * accepts.
 */
export function strictObjectOf<Shape extends z.core.$ZodLooseShape>(shape: Shape, what: string) {
  const keys = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key (keys are case-sensitive); remove it or use one of ${keys}`
        : `expected ${what} with keys ${keys}, got ${show(issue.input)}; write it as a JSON object`,
  });
}
