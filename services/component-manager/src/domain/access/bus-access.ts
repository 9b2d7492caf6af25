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
 * requests; a device may receive its QoS 1 subscriptions (NATS delivers them on `$MQTT.sub.<id>`), and a
 * device allowed `a.>` may subscribe to `a/#`.
 */
export class BusAccess {
  readonly #components = new Map<string, BusLogin>();
  #devices: BusLogin[] = [];

  constructor(
    private readonly bus: BusUsersPort,
    /** A keyed hash of `text` (HMAC with the device's secret), as a password. */
    private readonly derive: (text: string) => string,
  ) {}

  /** Grants the component its user (or updates its permissions) and returns the environment it logs in with. */
  async grant(spec: ComponentSpec): Promise<Record<string, string>> {
    if (!this.bus.enforced) return {};
    const login = this.#componentLogin(spec);
    if (!sameLogin(this.#components.get(spec.name), login)) {
      this.#components.set(spec.name, login);
      await this.#push();
    }
    return { LICHEN_NATS_USER: login.name, LICHEN_NATS_PASSWORD: login.password ?? '' };
  }

  /** Takes a removed component's user away: a client still logged in with it is disconnected. */
  async revoke(component: string): Promise<void> {
    if (this.bus.enforced && this.#components.delete(component)) await this.#push();
  }

  /** Makes the component users exactly those of `specs`: after recovery, and when a deployment has converged. */
  async keepOnly(specs: readonly ComponentSpec[]): Promise<void> {
    if (!this.bus.enforced) return;
    const wanted = specs.map((spec) => this.#componentLogin(spec));
    const same = sameLogins([...this.#components.values()], wanted);
    this.#components.clear();
    for (const login of wanted) this.#components.set(login.owner, login);
    if (!same) await this.#push();
  }

  /** Makes the client devices exactly these: those of the deployment the device converges to. */
  async setDevices(devices: readonly ClientDeviceSpec[]): Promise<void> {
    if (!this.bus.enforced) return;
    const wanted = devices.map(deviceLogin);
    const same = sameLogins(this.#devices, wanted);
    this.#devices = wanted;
    if (!same) await this.#push();
  }

  #push(): Promise<void> {
    return this.bus.setUsers([...this.#components.values(), ...this.#devices]);
  }

  #componentLogin(spec: ComponentSpec): BusLogin {
    const own = `lichen.components.${spec.name}.config`;
    return {
      kind: 'component',
      owner: spec.name,
      name: `component-${spec.name}`,
      password: this.derive(`${spec.name}\n${componentFingerprint(spec)}`),
      publish: [...spec.permissions.publish, own],
      subscribe: [...spec.permissions.subscribe, `${own}.changed`, '_INBOX.>'],
    };
  }
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

function sameLogin(a: BusLogin | undefined, b: BusLogin): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function sameLogins(a: readonly BusLogin[], b: readonly BusLogin[]): boolean {
  const byName = new Map(a.map((login) => [login.name, login]));
  return a.length === b.length && b.every((login) => sameLogin(byName.get(login.name), login));
}
