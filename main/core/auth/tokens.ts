import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Role } from '../../../shared/permissions.js';
import { ROLES } from '../../../shared/permissions.js';
import type { Clock } from '../clock.js';

export const JWT_ALGORITHM = 'HS256';
export const JWT_AUDIENCE = 'lexdesk';
export const JWT_ISSUER = 'lexdesk';

export interface AccessClaims {
  sub: string;
  role: Role;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
}

export class InvalidTokenError extends Error {
  constructor(
    readonly reason: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/**
 * Access tokens: JWTs signed with HS256 (jose), 15 minutes by default, with
 * sub, role, sid (the session), jti, iat, exp, aud and iss. Verification pins
 * the algorithm, the audience and the issuer, and reads time from the core's
 * clock. The door also checks the session behind `sid` on every call, so a
 * revoked session stops working at once, not when the token expires.
 */
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    if (secret.length < 32) throw new Error('the JWT secret must be at least 32 characters');
    this.key = new TextEncoder().encode(secret);
  }

  async issue(subject: { userId: string; role: Role; sessionId: string }): Promise<{ token: string; expiresAt: Date }> {
    const now = this.clock.now();
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + Math.floor(this.ttlMs / 1000);
    const token = await new SignJWT({ role: subject.role, sid: subject.sessionId })
      .setProtectedHeader({ alg: JWT_ALGORITHM, typ: 'JWT' })
      .setSubject(subject.userId)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setAudience(JWT_AUDIENCE)
      .setIssuer(JWT_ISSUER)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a good token; throws InvalidTokenError otherwise (never anything else). */
  async verify(token: string): Promise<AccessClaims> {
    if (token.length > 4096) throw new InvalidTokenError('invalid', 'token too long');
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [JWT_ALGORITHM],
        audience: JWT_AUDIENCE,
        issuer: JWT_ISSUER,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'sid', 'role', 'jti', 'iat', 'exp'],
        typ: 'JWT',
      });
      const { sub, sid, role, jti, iat, exp } = payload as Record<string, unknown>;
      if (
        typeof sub !== 'string' ||
        typeof sid !== 'string' ||
        typeof jti !== 'string' ||
        typeof iat !== 'number' ||
        typeof exp !== 'number' ||
        !(ROLES as readonly unknown[]).includes(role)
      ) {
        throw new InvalidTokenError('invalid', 'claims of the wrong type');
      }
      return { sub, sid, role: role as Role, jti, iat, exp };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JWTExpired) throw new InvalidTokenError('expired', 'token expired');
      throw new InvalidTokenError('invalid', err instanceof Error ? err.message : 'bad token');
    }
  }
}
