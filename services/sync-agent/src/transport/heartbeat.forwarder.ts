import { toJsonString } from '@bufbuild/protobuf';
import type { Bus, Unsubscribe } from '@lichen/bus';
import { HeartbeatSchema, subjects } from '@lichen/contracts';
import type { Logger } from '@lichen/logging';
import type { CloudLink } from '../domain/link/cloud-link.js';

const encoder = new TextEncoder();

/**
 * The health exporter's heartbeats of this device, sent to the fleet-status topic as JSON (proto3 JSON mapping)
 * while the link is up; a heartbeat is news only when it is fresh, so one sent while the link is down is skipped.
 */
export function forwardHeartbeats(bus: Bus, link: CloudLink, topic: string, deviceId: string, logger: Logger): Unsubscribe {
  let failing = false;
  return bus.subscribe(subjects.health.heartbeat, (heartbeat) => {
    if (heartbeat.deviceId !== deviceId || link.status.state !== 'connected') return;
    link.publish(topic, encoder.encode(toJsonString(HeartbeatSchema, heartbeat)), { qos: 1 }).then(
      () => (failing = false),
      (error: Error) => {
        if (!failing) logger.warn({ topic, reason: error.message }, 'heartbeat not sent to the cloud');
        failing = true;
      },
    );
  });
}
