import type { ComponentSpec } from '../component/component-spec.js';
import type { ClientDeviceSpec } from '../document/valid-deployment.js';
import { componentFingerprint } from '../planning/component-fingerprint.js';

/**
 * A login on the device's bus that the component manager owns: a component's (a derived password) or an MQTT
 * client device's (the bcrypt hash its deployment gives), with the subjects it may use.
 */
export interface BusLogin {
  readonly kind: 'component' | 'device';
  /** The component's or the device's name. */
  readonly owner: string;
  /** The bus user name: `component-<name>` or `device-<name>`. */
  readonly name: string;
  readonly password?: string;
  readonly passwordHash?: string;
  readonly publish: readonly string[];
  readonly subscribe: readonly string[];
}

/** The bus's user list, for the component manager's group of users (the host's `BusAuthority`). */
export interface BusUsersPort {
  /** False when Lichen does not manage the bus's users: components then get no credentials. */
  readonly enforced: boolean;
  /** Replaces the component manager's users; resolves once NATS enforces them. */
  setUsers(users: readonly BusLogin[]): Promise<void>;
}

/**
 * The bus users of the components and client devices of the deployments the device runs. A component's password
 * is derived from its name and fingerprint (with a device secret), so it changes exactly when a deployment
 * replaces the component's instance, and a restarted manager gives an adopted instance the same one again.
 * Besides its `permissions`, every component may ask for its own config, hear it change, get replies to its
 * requests on its own inbox prefix (`LICHEN_NATS_INBOX_PREFIX`); a device may receive its QoS 1 subscriptions (NATS delivers them on `$MQTT.sub.<id>`), and a
 * device allowed `a.>` may subscribe to `a/#`.
 */
export class BusAccess {
  /** The logins NATS has, by bus user name. */
  #committed = new Map<string, BusLogin>();
  /** Changes asked for and not yet in NATS, in order: the next push takes all of them. */
  #queue: PendingChange[] = [];
  #pushing = false;

  constructor(
    private readonly bus: BusUsersPort,
    /** A keyed hash of `text` (HMAC with the device's secret), as a password. */
    private readonly derive: (text: string) => string,
  ) {}

  /** Grants the component its user (or updates its permissions) and returns the environment it logs in with. */
  async grant(spec: ComponentSpec): Promise<Record<string, string>> {
    const login = this.#componentLogin(spec);
    if (!this.bus.enforced) {
      await this.#unenforced(spec.permissions.publish.length + spec.permissions.subscribe.length > 0 ? [login] : []);
      return {};
    }
    await this.#change((logins) => logins.set(login.name, login));
    return {
      LICHEN_NATS_USER: login.name,
      LICHEN_NATS_PASSWORD: login.password ?? '',
      LICHEN_NATS_INBOX_PREFIX: inboxOf(login.name),
    };
  }

  /** Takes a removed component's user away: a client still logged in with it is disconnected. */
  async revoke(component: string): Promise<void> {
    if (this.bus.enforced) await this.#change((logins) => logins.delete(componentUser(component)));
  }

  /** Makes the component users exactly those of `specs`: after recovery, and when a deployment has converged. */
  async keepOnly(specs: readonly ComponentSpec[]): Promise<void> {
    if (!this.bus.enforced) return;
    const wanted = specs.map((spec) => this.#componentLogin(spec));
    await this.#change((logins) => {
      for (const [name, login] of logins) if (login.kind === 'component') logins.delete(name);
      for (const login of wanted) logins.set(login.name, login);
    });
  }

  /** Makes the client devices exactly these: those of the deployment the device converges to. */
  async setDevices(devices: readonly ClientDeviceSpec[]): Promise<void> {
    const wanted = devices.map(deviceLogin);
    if (!this.bus.enforced) return this.#unenforced(wanted);
    await this.#change((logins) => {
      for (const [name, login] of logins) if (login.kind === 'device') logins.delete(name);
      for (const login of wanted) logins.set(login.name, login);
    });
  }

  /**
   * Applies a change to the logins NATS has. Changes asked for while a push runs go together in the next one; when
   * NATS refuses a batch, each of its changes is tried alone, so only the one at fault fails and the others go
   * through. What NATS refused is never kept: a retry asks again, later changes do not carry it.
   */
  #change(edit: (logins: Map<string, BusLogin>) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ edit, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#pushing) return;
    this.#pushing = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0);
        if (!(await this.#push(batch)) && batch.length > 1) for (const change of batch) await this.#push([change]);
      }
    } finally {
      this.#pushing = false;
    }
  }

  /** Pushes the changes on top of what NATS has; true when NATS took them (a lone change that fails is rejected). */
  async #push(batch: readonly PendingChange[]): Promise<boolean> {
    const next = new Map(this.#committed);
    for (const { edit } of batch) edit(next);
    try {
      if (!sameLogins(this.#committed, next)) await this.bus.setUsers([...next.values()]);
      this.#committed = next;
      for (const { resolve } of batch) resolve();
      return true;
    } catch (error) {
      if (batch.length === 1) batch[0]?.reject(error);
      return false;
    }
  }

  /** On a bus whose users Lichen does not manage, permissions and devices do nothing: the bus says so, once. */
  async #unenforced(logins: readonly BusLogin[]): Promise<void> {
    if (logins.length > 0) await this.bus.setUsers(logins);
  }

  #componentLogin(spec: ComponentSpec): BusLogin {
    const own = `lichen.components.${spec.name}.config`;
    const name = componentUser(spec.name);
    return {
      kind: 'component',
      owner: spec.name,
      name,
      password: this.derive(`${spec.name}\n${componentFingerprint(spec)}`),
      publish: [...spec.permissions.publish, own],
      subscribe: [...spec.permissions.subscribe, `${own}.changed`, `${inboxOf(name)}.>`],
    };
  }
}

interface PendingChange {
  readonly edit: (logins: Map<string, BusLogin>) => void;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

function componentUser(component: string): string {
  return `component-${component}`;
}

/**
 * The reply subjects a user's requests use (`inboxPrefix` of the NATS clients): its own, so that no component
 * can read the replies another one (or Lichen) gets.
 */
function inboxOf(user: string): string {
  return `_INBOX.${user}`;
}

function deviceLogin(device: ClientDeviceSpec): BusLogin {
  return {
    kind: 'device',
    owner: device.name,
    name: `device-${device.name}`,
    passwordHash: device.passwordHash,
    publish: [...device.permissions.publish],
    subscribe: [...device.permissions.subscribe.flatMap(withParentLevel), '$MQTT.sub.>'],
  };
}

/**
 * NATS maps an MQTT `a/#` subscription to both `a.>` and `a` (MQTT's `#` includes the parent level) and refuses
 * it whole unless both are allowed: a device given `a.>` gets `a` too.
 */
function withParentLevel(subject: string): string[] {
  return subject.endsWith('.>') ? [subject, subject.slice(0, -2)] : [subject];
}

function sameLogin(a: BusLogin | undefined, b: BusLogin | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameLogins(a: ReadonlyMap<string, BusLogin>, b: ReadonlyMap<string, BusLogin>): boolean {
  return a.size === b.size && [...b].every(([name, login]) => sameLogin(a.get(name), login));
}
