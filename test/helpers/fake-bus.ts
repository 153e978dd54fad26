/**
 * An in-memory cluster bus for tests of what nodes broadcast to each other
 * (connector/cluster/agent-sync.ts): every broadcast reaches every other node
 * at once, except nodes made `deaf` (a subscriber reconnecting); `reconnected`
 * runs a node's onReconnect handlers.
 */
import type { ClusterBus } from '../../connector/cluster/bus.js';

type Listener = (msg: unknown, from: string) => void;

export interface FakeBusWorld {
  readonly subs: Map<string, Set<Listener>>;
  readonly deaf: Set<string>;
  readonly reconnect: Map<string, Set<() => void>>;
}

export const fakeBusWorld = (): FakeBusWorld => ({ subs: new Map(), deaf: new Set(), reconnect: new Map() });

/** Node `node`'s end of the bus. */
export function fakeBus(node: string, w: FakeBusWorld): ClusterBus {
  return {
    subscribe: (topic: string, fn: Listener) => {
      const set = w.subs.get(`${node}:${topic}`) ?? new Set();
      w.subs.set(`${node}:${topic}`, set.add(fn));
      return () => set.delete(fn);
    },
    publish: async (topic: string, msg: unknown) => {
      for (const [key, set] of w.subs) {
        const target = key.split(':')[0]!;
        if (target !== node && !w.deaf.has(target) && key.endsWith(`:${topic}`)) for (const fn of set) fn(msg, node);
      }
    },
    onReconnect: (fn: () => void) => {
      const set = w.reconnect.get(node) ?? new Set();
      w.reconnect.set(node, set.add(fn));
      return () => set.delete(fn);
    },
  } as unknown as ClusterBus;
}

/** Runs node `node`'s onReconnect handlers (its bus came back). */
export function reconnected(node: string, w: FakeBusWorld): void {
  for (const fn of w.reconnect.get(node) ?? []) fn();
}
