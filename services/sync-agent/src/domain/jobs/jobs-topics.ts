/**
 * The MQTT topics of AWS IoT Jobs for one thing, under `$aws/things/{thing}/jobs/`: the cloud says `notify-next`
 * when the thing's next pending execution changes; the device asks `$next/get` for it and sets its status on
 * `{jobId}/update`; each request is answered on its topic plus `/accepted` or `/rejected`.
 */
export class JobsTopics {
  readonly #base: string;

  constructor(readonly thingName: string) {
    this.#base = `$aws/things/${thingName}/jobs`;
  }

  get notifyNext(): string {
    return `${this.#base}/notify-next`;
  }

  get nextGet(): string {
    return `${this.#base}/$next/get`;
  }

  update(jobId: string): string {
    return `${this.#base}/${jobId}/update`;
  }

  /** The filters the answers to this thing's requests come on (`$next` is matched by `+` too, but is not updated). */
  get replyFilters(): readonly string[] {
    return [
      `${this.nextGet}/accepted`,
      `${this.nextGet}/rejected`,
      `${this.#base}/+/update/accepted`,
      `${this.#base}/+/update/rejected`,
    ];
  }
}
