/**
 * An agent's softphone: the SIP-over-WebSocket account the widget registers with.
 * An agent without it works in desk-phone mode (pops and case logging only).
 */
import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'expected an environment variable name' });

export const agentSipSchema = z
  .strictObject({
    /** The registrar's WebSocket URL, e.g. wss://sip.example.com:8443 (RFC 7118). */
    wsUri: z.url({ protocol: /^wss?$/, error: 'expected a ws:// or wss:// URL' }),
    /** The agent's address of record, e.g. sip:alice@example.com. */
    aor: z.string().regex(/^sips?:[^@\s]+@[^@\s]+$/, { error: 'expected a SIP URI such as sip:alice@example.com' }),
    /** The digest user name; defaults to the AOR's user part. */
    authorizationUsername: z.string().min(1).optional(),
    /** The digest password, from at most one of password, passwordEnv, passwordFile (none: no authentication). */
    password: z.string().min(1, { error: 'expected a password' }).optional(),
    passwordEnv: envName.optional(),
    passwordFile: z.string().min(1).optional(),
    /** The name callees see; defaults to the agent's displayName. */
    displayName: z.string().min(1).optional(),
    /** STUN/TURN URLs for ICE (stun:..., turn:...); none by default. */
    iceServers: z.array(z.string().regex(/^(stun|stuns|turn|turns):/, { error: 'expected a stun: or turn: URL' })).default([]),
    /** Registration lifetime asked of the registrar, in seconds (SIP.js refreshes before it ends). */
    registerExpiresSec: z.number().int().min(30).max(3600).default(300),
  })
  .superRefine((s, ctx) => {
    const given = [s.password, s.passwordEnv, s.passwordFile].filter((x) => x !== undefined).length;
    if (given > 1) ctx.addIssue({ code: 'custom', path: ['password'], message: 'expected at most one of password, passwordEnv, passwordFile' });
  });

export type AgentSipConfig = z.output<typeof agentSipSchema>;
