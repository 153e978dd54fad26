/**
 * The embedded default: what `npm start` runs with no config file. One process,
 * the simulator PBX, a store in ./data seeded with demo data, and two demo agents.
 * The demo passwords are in the README; they are for the demo only.
 */
import type { ConfigInput } from './schema.js';

export const DEMO_AGENTS = [
  {
    username: 'alice',
    displayName: 'Alice Agent',
    // password: alice-demo
    passwordHash: 'scrypt$32768$8$1$bXYE1SmcHFLA/PFU0S51ow==$BUjvjfuPQFhSVxOpVt3Wz16fPdxAc2pThiInp2Qo8Ec=',
    queues: ['support', 'general'],
  },
  {
    username: 'bob',
    displayName: 'Bob Agent',
    // password: bob-demo
    passwordHash: 'scrypt$32768$8$1$bI4Zarq3GbqszkmWtvQg6g==$L/D0eCg4ww6ZDSvNmo0sxOeq7YPlBkdQc1bW3t3My8E=',
    queues: ['billing', 'general'],
  },
  {
    username: 'admin',
    displayName: 'Demo Admin',
    // password: admin-demo. Changes flows; takes no calls.
    passwordHash: 'scrypt$32768$8$1$V3F85j0TBtrLSlZNIScZoQ==$ApOsmdzrB9aTJBuTIxDpbUKWHKRsCbuG/yjgoiQbAJM=',
    role: 'admin',
    queues: [],
  },
] as const satisfies ConfigInput['agents'];

export const DEFAULT_CONFIG: ConfigInput = {
  seedDemoData: true,
  adapters: [{ id: 'sim', kind: 'simulator' }],
  agents: DEMO_AGENTS.map((a) => ({ ...a, queues: [...a.queues] })),
};
