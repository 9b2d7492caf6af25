import { createServer } from 'node:net';

/** The port a server gets: the standard one when free, else one the system hands out. */
export interface PickedPort {
  port: number;
  /** The standard port was held by another program. */
  displaced: boolean;
}

export async function pickPort(preferred: number, host = '127.0.0.1'): Promise<PickedPort> {
  if (await canListen(preferred, host)) return { port: preferred, displaced: false };
  return { port: await anyFreePort(host), displaced: true };
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function anyFreePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
