import { cloudCaUrl } from '../../cockroach/cloud';
import { LIBPQ_DEFAULT_ROOTCERT } from '../../cockroach/sslmode';

/**
 * Texts several catalogue entries share, as templates. An entry names one as {trustFix}, or uses
 * it as a filter, {2:reissueNode}, where {$} stands for the value.
 */
export const SHARED_TEXTS: Readonly<Record<string, string>> = {
  probe: 'crdb-tls probe {hostPort} --ca-file <ca.crt>',
  trustFix:
    `point sslrootcert at the CA that issued the node certificates: the cluster's ca.crt (from a node's certs directory; for CockroachDB Cloud, download it from the Connect dialog or ${cloudCaUrl('<cluster-id>')} into ${LIBPQ_DEFAULT_ROOTCERT}); ` +
    'check for typos such as "sslroot=" that leave sslrootcert unset; "{probe}" shows which CA signed what the server serves.',
  reissueNode:
    're-issue the node certificate with that name: crdb-tls cert create-node <every host name and IP of the node> {$} --certs-dir <certs> --ca-key <ca.key> --overwrite, copy node.crt and node.key to the node and send the cockroach process SIGHUP; or connect with a name the certificate lists',
  clientCertFix:
    'issue the client certificate from the CA the cluster trusts for clients (ca-client.crt when it exists, else ca.crt): crdb-tls cert create-client {user} --certs-dir <certs> --ca-key <ca.key>, and point sslcert/sslkey at client.{user}.crt and client.{user}.key; ' +
    "for CockroachDB Cloud, upload the CA that signed it as the cluster's client CA; check that the certificate has not expired (crdb-tls inspect <client cert>).",
};

/** What the server means by each TLS alert it sends about the client certificate, under the names OpenSSL, Go and Java print (lowercase). */
export const ALERTS: Readonly<Record<string, string>> = {
  'unknown ca': 'does not trust the CA that signed the client certificate',
  unknown_ca: 'does not trust the CA that signed the client certificate',
  'unknown certificate authority': 'does not trust the CA that signed the client certificate',
  'bad certificate': 'refused the client certificate (not signed by a CA it trusts, wrong key usage, or no certificate at all)',
  bad_certificate: 'refused the client certificate (not signed by a CA it trusts, wrong key usage, or no certificate at all)',
  'certificate expired': 'says the client certificate has expired',
  certificate_expired: 'says the client certificate has expired',
  'expired certificate': 'says the client certificate has expired',
  'certificate required': 'requires a client certificate and none was sent',
  certificate_required: 'requires a client certificate and none was sent',
  'certificate unknown': 'could not verify the client certificate',
  certificate_unknown: 'could not verify the client certificate',
  'unknown certificate': 'could not verify the client certificate',
  'unsupported certificate': 'refused the client certificate for its key usage (it needs the clientAuth extended key usage)',
  unsupported_certificate: 'refused the client certificate for its key usage (it needs the clientAuth extended key usage)',
  'certificate revoked': 'says the client certificate is revoked',
  certificate_revoked: 'says the client certificate is revoked',
  'revoked certificate': 'says the client certificate is revoked',
  'access denied': 'denied access after checking the client certificate',
  access_denied: 'denied access after checking the client certificate',
};
