/**
 * The messages sent to the broker and not yet confirmed, in spool order. The floor is the highest sequence below
 * which everything is settled (confirmed, refused or dropped by the spool), so forwarding can always start again
 * from `floor + 1` without losing a message, whatever order the confirmations came in.
 */
export class ForwardWindow {
  readonly #sent: number[] = [];
  #head = 0;
  readonly #settled = new Set<number>();
  #reached: number;
  #room: (() => void) | undefined;
  #abandoned = 0;
  #drained: (() => void) | undefined;

  constructor(
    floor: number,
    private readonly capacity: number,
  ) {
    this.#reached = floor;
  }

  get floor(): number {
    return this.#head < this.#sent.length ? this.#sent[this.#head]! - 1 : this.#reached;
  }

  /** The highest sequence sent or passed over. */
  get reached(): number {
    return this.#reached;
  }

  /** Sent and not yet settled (nor abandoned). */
  get inFlight(): number {
    return this.#sent.length - this.#head - this.#settled.size - this.#abandoned;
  }

  /** Everything before `seq` is accounted for (a gap before it was dropped by the spool's bounds). */
  reach(seq: number): void {
    this.#reached = Math.max(this.#reached, seq - 1);
  }

  sent(seq: number): void {
    this.#sent.push(seq);
    this.#reached = Math.max(this.#reached, seq);
  }

  settle(seq: number): void {
    this.#settled.add(seq);
    while (this.#head < this.#sent.length && this.#settled.delete(this.#sent[this.#head]!)) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#sent.length) {
      this.#sent.splice(0, this.#head);
      this.#head = 0;
    }
    this.#changed();
  }

  /** A message whose send failed with the link: it stays unsettled (the floor stays below it), no longer in flight. */
  abandon(): void {
    this.#abandoned++;
    this.#changed();
  }

  /** Resolves when nothing is in flight. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#drained = () => {
        this.#drained = undefined;
        resolve();
      };
    });
  }

  #changed(): void {
    if (this.inFlight < this.capacity) this.#room?.();
    if (this.inFlight === 0) this.#drained?.();
  }

  /** Resolves when one more message may be sent. */
  room(): Promise<void> {
    if (this.inFlight < this.capacity) return Promise.resolve();
    return new Promise((resolve) => {
      this.#room = () => {
        this.#room = undefined;
        resolve();
      };
    });
  }

  /** Lets a waiter in `room()` go, when forwarding stops. */
  release(): void {
    this.#room?.();
  }
}
