import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Region } from '../domain/config';

/** Publishes PutEvents entries with the plain AWS CLI; undefined when it cannot (then drctl publishes, with a note). */
export type AwsCliPublisher = (region: Region, entries: readonly object[]) => Promise<{ readonly ok: true } | { readonly ok: false; readonly why: string }>;

const run = promisify(execFile);

/**
 * PutEvents with the plain AWS CLI (`aws events put-events --entries file://…`) against the drill's
 * endpoint, with moto's credentials: proof that an override published without drctl is accepted
 * the same. Not installed, or failing: `{ ok: false, why }`.
 *
 * @see https://docs.aws.amazon.com/cli/latest/reference/events/put-events.html
 * @see https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
 */
export function awsCliPublisher(endpoint: string, credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }): AwsCliPublisher {
  return async (region, entries) => {
    const dir = mkdtempSync(join(tmpdir(), 'drctl-drill-aws-'));
    const file = join(dir, 'entries.json');
    writeFileSync(file, JSON.stringify(entries));
    const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...inherited } = process.env;
    try {
      const { stdout } = await run('aws', ['events', 'put-events', '--endpoint-url', endpoint, '--region', region, '--output', 'json', '--entries', `file://${file}`], {
        env: { ...inherited, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: region, AWS_PAGER: '' },
        timeout: 30_000,
      });
      const out = JSON.parse(stdout) as { FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
      if ((out.FailedEntryCount ?? 0) > 0) return { ok: false, why: `the CLI's PutEvents failed: ${out.Entries?.find((e) => e.ErrorCode)?.ErrorCode ?? 'unknown error'}` };
      return { ok: true };
    } catch (error) {
      const e = error as NodeJS.ErrnoException & { stderr?: string };
      return { ok: false, why: e.code === 'ENOENT' ? 'aws is not on the PATH' : `aws events put-events failed: ${(e.stderr ?? e.message).trim().split('\n').pop()}` };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}
