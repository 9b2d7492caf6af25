import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireCommand } from './required-command.js';

const run = promisify(execFile);

export interface CertAndKey {
  certFile: string;
  keyFile: string;
}

/** The PEM files of a throwaway PKI for TLS tests: paths only, everything under the folder given. */
export interface TestPki {
  /** The CA that signed the server's and the clients' certificates: what the broker and the clients trust. */
  caFile: string;
  /** CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1. */
  server: CertAndKey;
  /** One per name asked for, CN = the name (the thing name, as AWS IoT and `use_identity_as_username` see it). */
  clients: Record<string, CertAndKey>;
  /**
   * A client certificate from another CA, which a broker trusting `caFile` must refuse. It claims the first
   * client's name, so a refusal shows the broker checks who signed it and not what it says.
   */
  stranger: CertAndKey & { caFile: string };
}

export interface TestPkiOptions {
  /** Letters, digits, `:`, `_` and `-`, as in an AWS IoT thing name. */
  clientNames: string[];
  /** 3 unless told. */
  validDays?: number;
}

const THING_NAME = /^[A-Za-z0-9:_-]{1,128}$/;

/** Extensions of each kind of certificate; `req -x509` takes the section named by `-extensions`. */
const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/**
 * Makes a test CA, a server certificate for localhost, one client certificate per name and a stranger's client
 * certificate from a CA of its own, with the `openssl` CLI (EC P-256 keys, a few days' validity). Each certificate
 * is one `openssl req -x509` call (OpenSSL 3 signs with `-CA`), the independent ones run side by side.
 */
export async function makeTestPki(dir: string, options: TestPkiOptions): Promise<TestPki> {
  const bad = options.clientNames.filter((name) => !THING_NAME.test(name));
  if (bad.length > 0)
    throw new Error(`makeTestPki: client names must match ${THING_NAME}: ${bad.map((n) => JSON.stringify(n)).join(', ')}`);
  if (new Set(options.clientNames).size !== options.clientNames.length) {
    throw new Error(`makeTestPki: client names repeat: ${options.clientNames.join(', ')}`);
  }
  const openssl = requireCommand('openssl', 'openssl');
  const days = String(options.validDays ?? 3);
  const config = join(dir, 'openssl.cnf');
  await mkdir(join(dir, 'clients'), { recursive: true });
  await mkdir(join(dir, 'stranger'), { recursive: true });
  await writeFile(config, OPENSSL_CONFIG);

  const issue = async (
    base: string,
    commonName: string,
    extensions: 'ca' | 'server' | 'client',
    issuer?: { caFile: string; caKeyFile: string },
  ): Promise<CertAndKey> => {
    const pair = { certFile: `${base}.crt`, keyFile: `${base}.key` };
    const args = ['req', '-x509', '-config', config, '-extensions', extensions, '-newkey', 'ec'];
    args.push('-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', days, '-subj', `/CN=${commonName}`);
    args.push('-keyout', pair.keyFile, '-out', pair.certFile);
    if (issuer) args.push('-CA', issuer.caFile, '-CAkey', issuer.caKeyFile);
    try {
      await run(openssl, args, { timeout: 30_000 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr?.trim();
      throw new Error(`openssl could not make ${pair.certFile}: ${stderr || (error as Error).message}`, { cause: error });
    }
    return pair;
  };
  const asIssuer = ({ certFile, keyFile }: CertAndKey) => ({ caFile: certFile, caKeyFile: keyFile });

  const [ca, strangerCa] = await Promise.all([
    issue(join(dir, 'ca'), 'Lichen test CA', 'ca'),
    issue(join(dir, 'stranger', 'ca'), 'Stranger test CA', 'ca'),
  ]);
  const [server, stranger, clients] = await Promise.all([
    issue(join(dir, 'server'), 'localhost', 'server', asIssuer(ca)),
    issue(join(dir, 'stranger', 'client'), options.clientNames[0] ?? 'stranger', 'client', asIssuer(strangerCa)),
    Promise.all(
      options.clientNames.map(
        async (name) => [name, await issue(join(dir, 'clients', name), name, 'client', asIssuer(ca))] as const,
      ),
    ),
  ]);
  return {
    caFile: ca.certFile,
    server,
    clients: Object.fromEntries(clients),
    stranger: { caFile: strangerCa.certFile, ...stranger },
  };
}
