import assert from 'node:assert/strict';
import { parseTimeout } from '../../src/core/pki/duration';
import { SSL_REQUEST } from '../../src/core/tls/probe';
import { parseHostPort } from '../../src/core/cockroach/ports';
import { classify } from '../../src/core/tls/testConnection';
import { X509_ERRORS } from '../../src/core/tls/verify';
import { UserError } from '../../src/core/errors';

describe('tls parts', () => {
  it('SSLRequest is int32 8, int32 80877103', () => {
    assert.equal(SSL_REQUEST.readInt32BE(0), 8);
    assert.equal(SSL_REQUEST.readInt32BE(4), 80877103);
  });

  it('parseHostPort: host, host:port, [v6]:port, bare v6, default 26257', () => {
    assert.deepEqual(parseHostPort('localhost'), { host: 'localhost', port: 26257 });
    assert.deepEqual(parseHostPort('db.example.com:5433'), { host: 'db.example.com', port: 5433 });
    assert.deepEqual(parseHostPort('[::1]:26258'), { host: '::1', port: 26258 });
    assert.deepEqual(parseHostPort('::1'), { host: '::1', port: 26257 });
    assert.deepEqual(parseHostPort('postgresql://h:1/db'), { host: 'h', port: 1 });
    assert.throws(() => parseHostPort('h:99999'), UserError);
    assert.throws(() => parseHostPort(':26257'), UserError);
  });

  it('parseTimeout: Go-like durations and plain seconds', () => {
    assert.equal(parseTimeout('5s'), 5000);
    assert.equal(parseTimeout('500ms'), 500);
    assert.equal(parseTimeout('1m30s'), 90_000);
    assert.equal(parseTimeout('2'), 2000);
    assert.throws(() => parseTimeout('soon'), /--timeout "soon" is not a duration/);
    assert.throws(() => parseTimeout('0s'), UserError);
  });

  it('classify: Node and pg error codes first, then the message', () => {
    const e = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
    assert.equal(classify(e('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN')), 'unknown-authority');
    assert.equal(classify(e('certificate has expired', 'CERT_HAS_EXPIRED')), 'server-cert-expired');
    assert.equal(classify(e('certificate is not yet valid', 'CERT_NOT_YET_VALID')), 'server-cert-not-yet-valid');
    assert.equal(classify(e("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID')), 'hostname-mismatch');
    assert.equal(classify(e('...alert unknown ca...', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')), 'client-cert-rejected');
    assert.equal(classify(e('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED')), 'connection-refused');
    assert.equal(classify(e('getaddrinfo ENOTFOUND x.invalid', 'ENOTFOUND')), 'dns');
    assert.equal(classify(e('The server does not support SSL connections')), 'ssl-not-supported');
    assert.equal(classify(e('Connection terminated unexpectedly'), 'handshake'), 'handshake-eof');
    assert.equal(classify(e('certificate authentication failed for user "root"', '28000')), 'auth-failed');
    assert.equal(classify(e('something else entirely')), 'other');
  });

  it("OpenSSL error numbers are OpenSSL 3's", () => {
    assert.equal(X509_ERRORS.UNABLE_TO_GET_ISSUER_CERT_LOCALLY.num, 20);
    assert.equal(X509_ERRORS.CERT_HAS_EXPIRED.num, 10);
    assert.equal(X509_ERRORS.INVALID_CA.num, 79);
  });
});
