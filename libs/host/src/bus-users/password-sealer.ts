import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writePrivateFile } from './private-file.js';

/**
 * bcrypt's work factor. Measured with nats-server 2.9.10 here: it checks the hash at every connect and again for
 * every connected client at every reload, one after the other, at about 60 ms per check with cost 10 (a reload
 * with 40 clients: 2.4 s), 20 ms with cost 8, 5 ms with cost 6. The passwords Lichen hands out are random, for
 * which any cost is out of reach of a search; the hash keeps them out of the file, the cost only slows a search
 * for a guessable one.
 */
const BCRYPT_COST = 6;

/** A password as Lichen keeps it: the bcrypt hash NATS checks, and a keyed digest to tell a change cheaply. */
export interface SealedPassword {
  hash: string;
  digest: string;
}

export interface PasswordSealer {
  /** The password sealed; `previous` itself when it already seals this password (no new hash to compute). */
  seal(plain: string, previous?: SealedPassword): Promise<SealedPassword>;
}

/**
 * Seals with bcrypt (`bcryptjs`, pure JavaScript, loaded on first use) and an HMAC-SHA256 digest whose key is kept
 * in its own file (0600), so that the digests in the users file alone do not allow a fast search.
 */
export class BcryptSealer implements PasswordSealer {
  #key: Buffer | undefined;

  constructor(private readonly keyFile: string) {}

  async seal(plain: string, previous?: SealedPassword): Promise<SealedPassword> {
    const digest = createHmac('sha256', this.#digestKey()).update(plain).digest('hex');
    if (previous && sameText(previous.digest, digest)) return previous;
    const { default: bcrypt } = await import('bcryptjs');
    return { hash: await bcrypt.hash(plain, BCRYPT_COST), digest };
  }

  #digestKey(): Buffer {
    if (this.#key) return this.#key;
    if (existsSync(this.keyFile)) this.#key = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'hex');
    if (!this.#key || this.#key.length < 32) {
      this.#key = randomBytes(32);
      writePrivateFile(this.keyFile, `${this.#key.toString('hex')}\n`);
    }
    return this.#key;
  }
}

function sameText(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
