/** What the operator should read for a failure the TLS layer reports by code. */
const tlsReasons: Readonly<Record<string, string>> = {
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'the broker refused the client certificate: it does not trust the CA that signed it',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the broker refused the client certificate (bad certificate)',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'the broker refused the client certificate: it has expired',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'the broker refused the client certificate (access denied)',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the broker requires a client certificate: set LICHEN_CLOUD_CERT_FILE and LICHEN_CLOUD_KEY_FILE',
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
  if (code === 'ECONNRESET')
    return `the broker closed the connection (${said}); over TLS this is often a refused client certificate`;
  if (/^Connection refused/.test(said))
    return `the broker refused the connection: ${said.replace(/^Connection refused:\s*/, '')}`;
  return said;
}

/** MQTT 5 reason codes a broker closes a connection with (DISCONNECT), in words. */
const disconnectReasons: Readonly<Record<number, string>> = {
  0x80: 'an unspecified error',
  0x81: 'a malformed packet',
  0x82: 'a protocol error',
  0x83: 'an implementation-specific error',
  0x87: 'not authorized (check the policy of the certificate for this topic)',
  0x89: 'the broker is busy',
  0x8b: 'the broker is shutting down',
  0x8d: 'the keepalive timed out',
  0x8e: 'the session was taken over: another client connected with the same client id',
  0x90: 'a topic name it does not accept',
  0x93: 'more messages in flight than its Receive Maximum',
  0x95: 'a packet over its maximum size',
  0x97: 'a quota was exceeded',
  0x98: 'administrative action',
  0x9c: 'use another server',
  0x9d: 'the server moved',
  0x9f: 'too many connections from this client',
};

/** Why an MQTT 5 broker closed the connection, from its DISCONNECT's reason code and string. */
export function describeDisconnect(reasonCode: number | undefined, reasonString?: string): string {
  const reason = reasonCode === undefined ? undefined : disconnectReasons[reasonCode];
  const code =
    reasonCode === undefined ? '' : ` (reason code 0x${reasonCode.toString(16)}${reasonString ? `: ${reasonString}` : ''})`;
  return `the broker closed the connection: ${reason ?? 'no reason given'}${code}`;
}
