import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { ComponentState, DeploymentPhase, DeploymentStatusSchema } from '@lichen/contracts';
import { DeploymentTracker } from './deployment-tracker.js';

const status = (phase: DeploymentPhase, sensor = ComponentState.UNSPECIFIED, id = '01JD7Q3M2X') =>
  create(DeploymentStatusSchema, {
    id,
    name: 'line-3',
    revision: 7n,
    phase,
    components: { sensor: { action: 'update', state: sensor } },
  });

describe('DeploymentTracker', () => {
  it('takes every event of its deployment, in order, and ignores other deployments', () => {
    const tracker = new DeploymentTracker(status(DeploymentPhase.QUEUED));
    expect(tracker.event(status(DeploymentPhase.IN_PROGRESS, ComponentState.STARTING, 'other'))).toBeUndefined();
    expect(tracker.event(status(DeploymentPhase.IN_PROGRESS, ComponentState.STARTING))).toBeDefined();
    expect(tracker.event(status(DeploymentPhase.IN_PROGRESS, ComponentState.RUNNING))?.components['sensor']?.state).toBe(
      ComponentState.RUNNING,
    );
  });

  it('takes an answer that shows the deployment finished before any event came', () => {
    const tracker = new DeploymentTracker(status(DeploymentPhase.QUEUED));
    expect(tracker.answer(status(DeploymentPhase.SUCCEEDED, ComponentState.RUNNING))?.phase).toBe(DeploymentPhase.SUCCEEDED);
  });

  it('keeps an event over an answer of the same phase or an earlier one, which may be older', () => {
    const tracker = new DeploymentTracker(status(DeploymentPhase.QUEUED));
    tracker.event(status(DeploymentPhase.IN_PROGRESS, ComponentState.RUNNING));
    expect(tracker.answer(status(DeploymentPhase.IN_PROGRESS, ComponentState.STARTING))).toBeUndefined();
    expect(tracker.answer(status(DeploymentPhase.QUEUED))).toBeUndefined();
    expect(tracker.current.components['sensor']?.state).toBe(ComponentState.RUNNING);
    expect(tracker.answer(status(DeploymentPhase.FAILED_ROLLED_BACK, ComponentState.BROKEN))?.phase).toBe(
      DeploymentPhase.FAILED_ROLLED_BACK,
    );
  });
});
