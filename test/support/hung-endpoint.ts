import { createServer, type Server, type Socket } from 'node:net';

/** A TCP endpoint on 127.0.0.1 that accepts every connection and never answers: a region gone dark. */
export interface HungEndpoint {
  /** `http://127.0.0.1:<port>`, for an SDK client's `endpoint`. */
  readonly url: string;
  /** Connections accepted so far (one per SDK attempt). */
  connections(): number;
  close(): Promise<void>;
}

export async function startHungEndpoint(): Promise<HungEndpoint> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('hung endpoint: no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
