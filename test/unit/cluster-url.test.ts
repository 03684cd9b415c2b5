import { strict as assert } from 'node:assert';
import { findConnStrings } from '../../src/core/connstr/find';
import { paramValue } from '../../src/core/connstr/types';
import { clusterHost, clusterUrl } from '../../src/core/connstr/clusterUrl';

describe('a verify-full URL for a self-hosted cluster (clusterUrl)', () => {
  const has = (names: string[]) => (n: string) => names.includes(n);

  it('takes the host from the node certificate: a DNS name without a wildcard, else an IP, else localhost', () => {
    assert.equal(clusterHost({ dns: ['*.crdb.internal', 'db1.crdb.internal'], ip: ['10.0.0.1'] }), 'db1.crdb.internal');
    assert.equal(clusterHost({ dns: ['*.crdb.internal'], ip: ['10.0.0.1'] }), '10.0.0.1');
    assert.equal(clusterHost(null), 'localhost');
  });

  it('names the CA that signs node certificates, and the client certificate and key', () => {
    const url = clusterUrl({
      certsDir: '/srv/my certs',
      has: has(['ca.crt', 'ca-client.crt', 'node.crt']),
      nodeSans: { dns: [], ip: ['::1'] },
      client: { user: 'app.reader', cert: '/srv/my certs/client.app.reader.crt', key: '/srv/my certs/client.app.reader.key' },
    });
    assert.equal(
      url,
      'postgresql://app.reader@[::1]:26257/defaultdb?sslmode=verify-full&sslrootcert=/srv/my%20certs/ca.crt' +
        '&sslcert=/srv/my%20certs/client.app.reader.crt&sslkey=/srv/my%20certs/client.app.reader.key',
    );
    // The project's own parser reads it back as written.
    const c = findConnStrings(url)[0];
    assert.equal(c.user, 'app.reader');
    assert.equal(paramValue(c, 'sslrootcert')?.value, '/srv/my certs/ca.crt');
    assert.equal(paramValue(c, 'sslkey')?.value, '/srv/my certs/client.app.reader.key');
  });

  it('without a client certificate: user root, no sslcert/sslkey', () => {
    assert.equal(
      clusterUrl({ certsDir: '/c', has: has(['ca.crt']), nodeSans: { dns: ['localhost'], ip: [] } }),
      'postgresql://root@localhost:26257/defaultdb?sslmode=verify-full&sslrootcert=/c/ca.crt',
    );
  });
});
