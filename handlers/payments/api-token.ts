import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The payment API's client credential: a JSON Web Token signed with HMAC-SHA256 (JWS `HS256`)
 * under a key shared by every Region, whose audience is the API's public name
 * (`api.<domain>`), never a Regional host. Nothing in it names a Region, so the token a client got
 * before a failover is accepted unchanged by the other Region's stage after it; a SigV4 signature,
 * whose credential scope names the Region, is not.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7519 (JSON Web Token)
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.2 (HS256)
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html (SigV4 credential scope)
 */

/** Claims this API reads. `sub` names the client; `exp` is required. */
export interface ApiTokenClaims {
  readonly sub: string;
  readonly aud: string;
  /** Expiry, epoch seconds. */
  readonly exp: number;
  /** Not before, epoch seconds. */
  readonly nbf?: number;
  readonly iat?: number;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A signed token with `claims` (for issuers and tests; the API only verifies). */
export function signApiToken(claims: ApiTokenClaims, key: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

export type TokenCheck = { readonly ok: true; readonly claims: ApiTokenClaims } | { readonly ok: false; readonly reason: string };

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Longest token accepted; a longer `Authorization` header is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 4096;

/** Clock skew tolerated on `exp` and `nbf`, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;

/**
 * Verify `token` against `key` and `audience` at `nowSeconds`: only `HS256` (never `none` or an
 * algorithm the header picks), a constant-time signature comparison, the audience, `exp` and `nbf`.
 */
export function verifyApiToken(token: string, key: string, audience: string, nowSeconds: number): TokenCheck {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token missing or too long' };
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]+$/.test(part))) return { ok: false, reason: 'not a compact JWS' };
  const [header = '', payload = '', signature = ''] = parts;
  const head = parseJson(header) as { alg?: unknown; typ?: unknown } | undefined;
  if (head?.alg !== 'HS256') return { ok: false, reason: 'alg is not HS256' };
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
  const claims = parseJson(payload) as Partial<Record<keyof ApiTokenClaims, unknown>> | undefined;
  if (typeof claims !== 'object' || claims === null) return { ok: false, reason: 'payload is not a JSON object' };
  if (typeof claims.sub !== 'string' || !/^[!-~]{1,128}$/.test(claims.sub)) return { ok: false, reason: 'sub missing or not an id' };
  if (claims.aud !== audience) return { ok: false, reason: 'wrong audience' };
  if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) return { ok: false, reason: 'expired or no exp' };
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds)) return { ok: false, reason: 'not yet valid' };
  return { ok: true, claims: { sub: claims.sub, aud: audience, exp: claims.exp, ...(typeof claims.nbf === 'number' && { nbf: claims.nbf }) } };
}
