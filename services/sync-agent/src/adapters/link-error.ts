/** What the operator should read for a failure the TLS layer reports by code. */
const tlsReasons: Readonly<Record<string, string>> = {
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the broker refused the client certificate: it does not trust the CA that signed it',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the broker refused the client certificate (bad certificate)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the broker refused the client certificate: it has expired',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'the broker refused the client certificate (access denied)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the broker requires a client certificate: set LICHEN_CLOUD_CERT_FILE and LICHEN_CLOUD_KEY_FILE',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the TLS handshake failed (a client certificate the broker wants may be missing)',
  SELF_SIGNED_CERT_IN_CHAIN: "the broker's certificate is not signed by LICHEN_CLOUD_CA_FILE",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the broker's certificate is self-signed and not in LICHEN_CLOUD_CA_FILE",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the broker's certificate is not signed by LICHEN_CLOUD_CA_FILE",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the broker's certificate is not signed by LICHEN_CLOUD_CA_FILE",
  CERT_HAS_EXPIRED: "the broker's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the broker's certificate is not for this host name",
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: 'LICHEN_CLOUD_KEY_FILE is not the key of LICHEN_CLOUD_CERT_FILE',
};

/**
 * A link failure as one line an operator can act on: the reason in words (a refused certificate, a broker that
 * is not there), then what the TLS or MQTT layer said.
 */
export function describeLinkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  // OpenSSL's messages end with a newline: one line, as a log field and `lichen cloud` show it.
  const said = error.message.replace(/\s+/g, ' ').trim();
  if (typeof code === 'string' && tlsReasons[code]) return `${tlsReasons[code]} (${said})`;
  if (code === 'ECONNREFUSED') return `nothing listens at the broker's address (${said})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the broker's host name does not resolve (${said})`;
  if (code === 'ECONNRESET') return `the broker closed the connection (${said}); over TLS this is often a refused client certificate`;
  if (/^Connection refused/.test(said)) return `the broker refused the connection: ${said.replace(/^Connection refused:\s*/, '')}`;
  return said;
}
