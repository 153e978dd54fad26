/**
 * Free ports on 127.0.0.1 for programs the tests start (Kamailio, sipp), which
 * cannot be told to pick their own. The port is released before the program
 * binds it, so another process could take it meanwhile: rare on loopback, and
 * the program's start then fails loudly rather than misbehaving.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

export function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** A port free for both TCP and UDP (a SIP listener often wants both). */
export async function freePorts(count: number, kind: 'tcp' | 'udp'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await (kind === 'tcp' ? freeTcpPort() : freeUdpPort()));
  return [...ports];
}
