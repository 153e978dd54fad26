/** Login, logout, and the bearer-token check every agent API uses. */
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AgentDirectory } from '../agents/agent-store.js';
import type { PresenceBoard } from '../agents/presence.js';
import { verifyPassword } from '../auth/password.js';
import type { SessionStoreLike } from '../auth/session-store.js';
import { LoginThrottle } from '../auth/throttle.js';
import type { AgentConfig } from '../config/schema.js';
import { AppError } from '../errors.js';
import { parseOrThrow } from './validate.js';

export const loginBody = z.strictObject({
  username: z.string().min(1, { error: 'required' }).max(64),
  password: z.string().min(1, { error: 'required' }).max(256),
});

// Checked when the user is unknown, so both failures take the same time.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export function bearerToken(req: Request): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}

/** Requires a valid token; sets `res.locals.username`. */
export function requireAgent(sessions: SessionStoreLike): RequestHandler {
  return (req, res, next) => {
    const username = sessions.verify(bearerToken(req));
    if (!username) throw new AppError('UNAUTHORIZED');
    res.locals.username = username;
    next();
  };
}

/** Requires a valid token of a user with `role` (admins pass every role check), read live from the store. */
export function requireRole(sessions: SessionStoreLike, agents: AgentDirectory, role: AgentConfig['role']): RequestHandler {
  return (req, res, next) => {
    const username = sessions.verify(bearerToken(req));
    const agent = username ? agents.find(username) : undefined;
    if (!username || !agent || agent.disabled) throw new AppError('UNAUTHORIZED');
    const has = agent.role;
    if (has !== role && has !== 'admin') throw new AppError('FORBIDDEN', `This needs the ${role} role.`);
    res.locals.username = username;
    next();
  };
}

export function authRoutes(deps: {
  /** The live agents (the store): logins read them on every attempt. */
  agents: AgentDirectory;
  sessions: SessionStoreLike;
  presence: PresenceBoard;
  /** Called after a logout, to close the sockets of that login. */
  onRevoke?: (token: string) => void;
  /** Called after "log out everywhere", to close every socket of the user. */
  onRevokeUser?: (username: string) => void;
  throttle?: LoginThrottle;
}): Router {
  const throttle = deps.throttle ?? new LoginThrottle();
  const r = Router();

  r.post('/api/auth/login', async (req, res) => {
    const { username, password } = parseOrThrow(loginBody, req.body, 'login');
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.retryAfterMs(username, address);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new AppError('TOO_MANY_ATTEMPTS');
    }
    const agent = deps.agents.find(username);
    const ok = await verifyPassword(password, agent?.passwordHash ?? DUMMY_HASH);
    const presence = deps.presence.get(username);
    // Read again after the slow hash check: a password reset or a disable meanwhile wins.
    const now = deps.agents.find(username);
    if (!agent || !now || now.disabled || now.passwordHash !== agent.passwordHash || !ok || !presence) {
      throttle.failed(username, address);
      throw new AppError('INVALID_CREDENTIALS');
    }
    throttle.succeeded(username);
    const { token, expiresAt } = deps.sessions.issue(username);
    res.json({ token, expiresAt, agent: deps.presence.snapshot(presence) });
  });

  r.post('/api/auth/logout', requireAgent(deps.sessions), (req, res) => {
    const token = bearerToken(req);
    if (token) {
      deps.sessions.revoke(token);
      deps.onRevoke?.(token);
    }
    res.status(204).end();
  });

  // Log out everywhere: every session of the user, every open widget.
  r.post('/api/auth/logout-all', requireAgent(deps.sessions), (_req, res) => {
    const username = res.locals.username as string;
    deps.sessions.revokeUser(username);
    deps.onRevokeUser?.(username);
    res.status(204).end();
  });

  r.get('/api/me', requireAgent(deps.sessions), (_req, res) => {
    const presence = deps.presence.get(res.locals.username as string);
    if (!presence) throw new AppError('UNAUTHORIZED');
    res.json({ agent: deps.presence.snapshot(presence) });
  });

  return r;
}
