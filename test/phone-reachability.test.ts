/**
 * The connector's side of the softphone: each agent's SIP settings reach that
 * agent's sockets only, and an agent whose widget reports the phone
 * unregistered (or whose reporting widget went away) is offered no calls until
 * a widget reports it registered again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePhoneSettings } from '../connector/agents/phone-settings.js';
import { DEMO_AGENTS } from '../connector/config/defaults.js';
import { parseConfig } from '../connector/config/load.js';
import { ConfigError } from '../connector/errors.js';
import { api, connectAgent, login, nextEvent, request, type AgentClient } from './helpers/clients.js';
import { startTestServer, type TestServer } from './helpers/server.js';

let srv: TestServer | null = null;
const sockets: AgentClient[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await srv?.close();
  srv = null;
  delete process.env['SB_TEST_SIP_PASSWORD'];
});

const SIP = { wsUri: 'wss://sip.example.com:8443', aor: 'sip:alice@example.com', passwordEnv: 'SB_TEST_SIP_PASSWORD' };
const agentsWithSip = DEMO_AGENTS.map((a) => ({ ...a, queues: [...a.queues], ...(a.username === 'alice' ? { sip: SIP } : {}) }));

async function start(): Promise<TestServer> {
  process.env['SB_TEST_SIP_PASSWORD'] = 's3cret';
  srv = await startTestServer({ config: { agents: agentsWithSip } });
  return srv;
}

async function socketOf(name: string) {
  const { socket, snapshot } = await connectAgent(srv!.url, await login(srv!.url, name));
  sockets.push(socket);
  return { socket, snapshot };
}

async function supportCall(): Promise<string> {
  const { callId } = (await api(srv!.url, 'POST', '/api/simulator/calls', { body: { from: '+14155550123', to: '+18005550100' } })).body;
  await api(srv!.url, 'POST', `/api/simulator/calls/${callId}/digits`, { body: { digits: '1' } });
  return callId as string;
}

/** Waits until the caller hears that nobody is free: the call is queued and was offered to no one. */
async function queuedUnoffered(callId: string): Promise<void> {
  const sim = srv!.sb.simulators[0]!;
  await expect.poll(() => sim.transcript(callId).promptTexts().at(-1), { timeout: 5_000 }).toMatch(/All our agents are busy/);
}

describe('phone settings', () => {
  it('go to the agent in the session snapshot, password from the environment; others get none', async () => {
    await start();
    const alice = await socketOf('alice');
    expect(alice.snapshot.phone).toEqual({
      wsUri: SIP.wsUri,
      aor: SIP.aor,
      authorizationUsername: 'alice',
      password: 's3cret',
      displayName: 'Alice Agent',
      iceServers: [],
      registerExpiresSec: 300,
    });
    expect((await socketOf('bob')).snapshot.phone).toBeNull();
  });

  it('are validated: a ws(s) URL, a SIP AOR, at most one password source', () => {
    const bad = { ...DEMO_AGENTS[0], queues: ['support'], sip: { wsUri: 'http://x', aor: 'alice', password: 'a', passwordEnv: 'B' } };
    expect(() => parseConfig({ agents: [bad] })).toThrow(/wsUri[\s\S]*aor[\s\S]*at most one of password/);
  });

  it('fail at start-up when the password cannot be read', () => {
    const config = parseConfig({ agents: [{ ...DEMO_AGENTS[0], queues: ['support'], sip: { ...SIP, passwordEnv: 'SB_TEST_UNSET_VARIABLE' } }] });
    expect(() => resolvePhoneSettings(config.agents, {})).toThrow(ConfigError);
  });
});

describe('phone reachability and routing', () => {
  it('an agent whose phone is unregistered is offered nothing until it registers again', async () => {
    await start();
    const { socket } = await socketOf('alice');
    expect(await request(socket, 'agent.state.set', { state: 'available' })).toMatchObject({ ok: true });
    expect(await request(socket, 'phone.state.set', { registered: false })).toEqual({ ok: true });
    const callId = await supportCall();
    await queuedUnoffered(callId);
    const pop = nextEvent(socket, 'call.offered');
    expect(await request(socket, 'phone.state.set', { registered: true })).toEqual({ ok: true });
    expect((await pop).callId).toBe(callId);
  });

  it('a call ringing an agent goes back to the queue when the phone becomes unreachable', async () => {
    await start();
    const { socket } = await socketOf('alice');
    await request(socket, 'phone.state.set', { registered: true });
    await request(socket, 'agent.state.set', { state: 'available' });
    const offered = nextEvent(socket, 'call.offered');
    const callId = await supportCall();
    expect((await offered).callId).toBe(callId);
    const withdrawn = nextEvent(socket, 'call.offer.withdrawn');
    await request(socket, 'phone.state.set', { registered: false });
    expect(await withdrawn).toEqual({ callId, reason: 'agent-unavailable' });
  });

  it('the widget that held the registration closing makes the agent unreachable; another tab reporting brings them back', async () => {
    await start();
    const leader = await socketOf('alice');
    const follower = await socketOf('alice');
    await request(leader.socket, 'phone.state.set', { registered: true });
    await request(follower.socket, 'agent.state.set', { state: 'available' });
    leader.socket.close();
    await expect.poll(() => srv!.sb.callCenter.snapshot('alice').snapshot.agent.phoneReachable).toBe(false);
    const callId = await supportCall();
    await queuedUnoffered(callId);
    const pop = nextEvent(follower.socket, 'call.offered');
    await request(follower.socket, 'phone.state.set', { registered: true });
    expect((await pop).callId).toBe(callId);
  });

  it('rejects a malformed phone state with a coded error', async () => {
    await start();
    const { socket } = await socketOf('alice');
    expect(await request(socket, 'phone.state.set', { registered: 'yes' } as never)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
