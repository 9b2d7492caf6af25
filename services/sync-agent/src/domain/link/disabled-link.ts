import type { CloudLink, LinkStatus } from './cloud-link.js';

/** The link of a device with no cloud configured: shadows and the spool stay on the device, nothing is sent. */
export class DisabledLink implements CloudLink {
  readonly status: LinkStatus = { state: 'disabled', since: Date.now() };

  onStatus(): () => void {
    return () => undefined;
  }

  publish(): Promise<void> {
    return Promise.reject(new Error('no cloud is configured (LICHEN_CLOUD_URL)'));
  }

  subscribe(): () => void {
    return () => undefined;
  }
}
