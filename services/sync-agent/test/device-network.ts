import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from '@lichen/testing';

const HOST = '127.0.0.1';

/**
 * The device's network to the cloud, for tests: a TCP relay on a port of its own in front of the broker, given to
 * the sync agent as its cloud URL. `cut()` drops every connection through it and, until `restore()`, closes each new
 * one as soon as it is made, so the device is offline while the cloud side, connected straight to the broker, stays
 * up. The port stays bound throughout, so no other program can take it in between.
 */
export class DeviceNetwork {
  readonly #sockets = new Set<Socket>();
  #online = true;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly brokerPort: number,
  ) {}

  /** Opens the relay, online, in front of the broker on 127.0.0.1:`brokerPort`. */
  static async open(brokerPort: number): Promise<DeviceNetwork> {
    const port = await freePort();
    const server = createServer();
    const network = new DeviceNetwork(server, port, brokerPort);
    server.on('connection', (device) => network.#relay(device));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, HOST, resolve));
    return network;
  }

  /** `mqtt://127.0.0.1:<port>`: the cloud URL the device is given. */
  get url(): string {
    return `mqtt://${HOST}:${this.port}`;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Takes the device offline: every connection through the relay is reset, new ones are closed at once. */
  cut(): void {
    this.#online = false;
    for (const socket of this.#sockets) socket.resetAndDestroy();
  }

  /** Lets the device through again; it connects on its next attempt. */
  restore(): void {
    this.#online = true;
  }

  /** Drops every connection and stops listening. */
  async close(): Promise<void> {
    this.cut();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #relay(device: Socket): void {
    if (!this.#online) {
      device.on('error', () => undefined);
      device.resetAndDestroy();
      return;
    }
    const broker = connect(this.brokerPort, HOST);
    for (const [socket, other] of [
      [device, broker],
      [broker, device],
    ] as const) {
      this.#sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        other.destroy();
      });
      socket.pipe(other);
    }
  }
}
