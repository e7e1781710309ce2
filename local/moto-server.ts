import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A running moto_server on 127.0.0.1, owned by the test that started it. */
export interface Moto {
  readonly endpoint: string;
  readonly port: number;
  /** Wipe every resource (moto's reset API), for test isolation without a restart. */
  reset(): Promise<void>;
  /** Stop the server by its PID. */
  stop(): Promise<void>;
}

export const MOTO_ACCOUNT_ID = '123456789012';

/** Credentials the SDK needs to sign requests; moto accepts any. */
export const motoCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** moto_server is not installed: the caller says so and falls back (the drill) or fails (tests). */
export class MotoNotInstalledError extends Error {
  override readonly name = 'MotoNotInstalledError';
}

/**
 * Start moto_server on 127.0.0.1 (a free port unless one is given) and wait until it answers; it
 * is ready in well under a second. Stop it with `stop()`, which kills it by its PID.
 *
 * @see https://docs.getmoto.org/en/latest/docs/server_mode.html
 */
export async function startMoto(timeoutMs = 15_000, fixedPort?: number): Promise<Moto> {
  const port = fixedPort ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ACCOUNT_ID },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: false,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const early = await Promise.race([
      exited.then((code) => new Error(`moto_server exited with code ${code}: ${stderr.trim()}`)),
      spawnError.then((e) =>
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? new MotoNotInstalledError('moto_server is not on the PATH; install it with: pip install "moto[server]"')
          : new Error(`moto_server could not start (${e.message})`),
      ),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ]);
    if (early) throw early;
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
    }
  }

  return {
    endpoint,
    port,
    async reset() {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    async stop() {
      if (child.exitCode !== null || child.pid === undefined) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => child.pid && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 3000);
      timer.unref();
      await exited;
      clearTimeout(timer);
    },
  };
}

/** SDK client options for moto: one attempt, fixed credentials, the given region. */
export function motoClientConfig(moto: Moto, region = 'us-east-1') {
  return { endpoint: moto.endpoint, region, credentials: motoCredentials, maxAttempts: 1 } as const;
}
