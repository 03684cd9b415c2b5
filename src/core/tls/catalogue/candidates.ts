import { Category } from '../types';

/**
 * For an ambiguous text: what tells each candidate cause apart, as crdb-tls test-connection (it
 * names the cause), probe (what the server serves) or the local files show it. Plain data.
 */
export const CANDIDATE_SIGNS: Readonly<Partial<Record<Category, string>>> = {
  'unknown-authority': "probe --ca-file <sslrootcert> says the server's chain does not verify against that CA",
  'server-cert-expired': "probe shows the node certificate's notAfter in the past",
  'server-cert-not-yet-valid': "probe shows the node certificate's notBefore in the future, or this machine's clock is behind",
  'client-cert-rejected':
    'crdb-tls verify --ca-file <the cluster CA> <sslcert> fails, or inspect shows it expired; the server log names the refused certificate',
  'key-mismatch': 'crdb-tls inspect <sslcert> --key <sslkey> says the key does not belong to the certificate',
  'handshake-eof': 'probe without a client certificate also loses the connection (wrong port, a proxy, not a TLS server)',
  'auth-failed': 'the string names no sslcert/sslkey, or the certificate is for another user (inspect shows its CN)',
  'client-cert-not-sent':
    'sslcert/sslkey are set, but the library did not send them: a PEM key for pgjdbc, or a certificate whose issuer is not in the CA list the server asks with (probe shows that list); test-connection names it',
};
