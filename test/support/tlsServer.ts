import { createServer, Server, TLSSocket } from 'node:tls';
import { AddressInfo } from 'node:net';

export interface TlsServerOptions {
  /** PEM certificate and key the server presents (a broker's). */
  cert: Buffer | string;
  key: Buffer | string;
  /** CA the server verifies client certificates with. */
  ca?: Buffer | string;
  /** Ask for a client certificate (default: true when `ca` is given). */
  requestCert?: boolean;
  /** Refuse clients without a certificate the CA verifies (default: same as requestCert). */
  rejectUnauthorized?: boolean;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface TlsServerHandle {
  host: string;
  port: number;
  /** Client certificates' subjects (CN) of the connections the server accepted. */
  accepted: string[];
  /** TLS errors of the connections the server refused. */
  refused: string[];
  close(): Promise<void>;
}

/**
 * A local TLS server that stands in for a Kafka broker's TLS listener: it requires client
 * certificates from its CA (requestCert + rejectUnauthorized), accepts the handshake and then
 * stays silent, as a broker does until the client speaks.
 */
export async function startTlsServer(o: TlsServerOptions): Promise<TlsServerHandle> {
  const requestCert = o.requestCert ?? o.ca !== undefined;
  const accepted: string[] = [];
  const refused: string[] = [];
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer(
    {
      cert: o.cert,
      key: o.key,
      ca: o.ca,
      requestCert,
      rejectUnauthorized: o.rejectUnauthorized ?? requestCert,
      minVersion: o.minVersion,
      maxVersion: o.maxVersion,
    },
    (socket) => {
      sockets.add(socket);
      const peer = socket.getPeerCertificate();
      accepted.push(peer && peer.subject ? String(peer.subject.CN ?? '') : '');
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
      socket.resume();
    },
  );
  server.on('tlsClientError', (err) => refused.push((err as NodeJS.ErrnoException).code ?? err.message));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    accepted,
    refused,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
