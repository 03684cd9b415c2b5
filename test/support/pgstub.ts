/** Stand-ins for what PostgreSQL will not do: a pgwire port that answers 'N', closes after 'S' or never answers; a closed port. */
import { AddressInfo, Server, Socket, createServer } from 'node:net';

const SSL_CODE = 80877103;
const GSSENC_CODE = 80877104;

/** A TCP server speaking just enough pgwire: GSSENCRequest → 'N', SSLRequest → `onSsl`. */
export async function pgStub(onSsl: ((s: Socket) => void) | 'hang'): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    if (onSsl === 'hang') return;
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 8) {
        const code = buf.readUInt32BE(4);
        buf = buf.subarray(8);
        if (code === GSSENC_CODE) s.write('N');
        else if (code === SSL_CODE) {
          s.off('data', onData);
          onSsl(s);
          return;
        } else {
          s.destroy();
          return;
        }
      }
    };
    s.on('data', onData);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((res) => {
        for (const s of sockets) s.destroy();
        server.close(() => res());
      }),
  };
}

export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((res) => s.listen(0, '127.0.0.1', res));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((res) => s.close(() => res()));
  return port;
}
