import type { Bus } from '@lichen/bus';
import type { Logger } from '@lichen/logging';
import { JobsAgent } from '../domain/jobs/jobs-agent.js';
import type { CloudLink } from '../domain/link/cloud-link.js';
import { BusDeployments } from './bus.deployments.js';

/**
 * Starts taking deployments from the cloud as AWS IoT Jobs of `thingName`, handed to the component manager over
 * the bus; returns what stops it. A device without a cloud (a disabled link) has no jobs to take.
 */
export function startJobs(bus: Bus, link: CloudLink, thingName: string, logger: Logger): () => Promise<void> {
  if (link.status.state === 'disabled') return async () => undefined;
  const agent = new JobsAgent({
    thingName,
    link,
    deployments: new BusDeployments(bus),
    log: (level, event, fields) => logger[level](fields, event),
  });
  agent.start();
  return () => agent.stop();
}
