import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { ComponentState, DeploymentPhase, DeploymentStatusSchema, type ComponentProgress } from '@lichen/contracts';
import { deploymentOutcome, progressLines, renderDeployment } from './deployment.format.js';

const at = (iso: string) => timestampFromDate(new Date(iso));

type StatusInit = Exclude<MessageInitShape<typeof DeploymentStatusSchema>, { $typeName: string }>;
type ProgressInit = Pick<ComponentProgress, 'action' | 'state' | 'reason'>;

function line3(phase: DeploymentPhase, components: Record<string, ProgressInit> = {}, more: Partial<StatusInit> = {}) {
  return create(DeploymentStatusSchema, {
    id: '01JD7Q3M2X',
    name: 'line-3',
    revision: 7n,
    target: 'press-7',
    phase,
    components,
    queuedAt: at('2026-11-26T12:00:00Z'),
    ...more,
  });
}

const progress = (action: string, state: ComponentState, reason = ''): ProgressInit => ({ action, state, reason });

describe('renderDeployment (the live view)', () => {
  it('shows the phase, then one aligned line per component: name, action, state, reason', () => {
    const status = line3(DeploymentPhase.IN_PROGRESS, {
      'vibration-sensor': progress('update', ComponentState.STARTING),
      'anomaly-model': progress('create', ComponentState.RUNNING),
      'old-uploader': progress('remove', ComponentState.STOPPING, 'removed from the deployment'),
      'edge-ui': progress('unchanged', ComponentState.UNSPECIFIED),
    });
    expect(renderDeployment(status)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X)  IN_PROGRESS',
      '  COMPONENT         ACTION     STATE     REASON',
      '  anomaly-model     create     RUNNING',
      '  edge-ui           unchanged  pending',
      '  old-uploader      remove     STOPPING  removed from the deployment',
      '  vibration-sensor  update     STARTING',
    ]);
  });

  it('is one line while the deployment waits in the queue', () => {
    expect(renderDeployment(line3(DeploymentPhase.QUEUED))).toEqual(['deployment line-3 r7 (01JD7Q3M2X)  QUEUED']);
  });
});

describe('progressLines (plain output)', () => {
  it('says the phase first, then every component', () => {
    const first = line3(DeploymentPhase.QUEUED);
    expect(progressLines(undefined, first)).toEqual(['deployment line-3 r7 (01JD7Q3M2X) QUEUED']);
  });

  it('says a component is pending until the plan gives it an action, and a reason only with an error', () => {
    const queued = line3(DeploymentPhase.QUEUED, { ticker: progress('pending', ComponentState.UNSPECIFIED) });
    expect(progressLines(undefined, queued)).toEqual(['deployment line-3 r7 (01JD7Q3M2X) QUEUED', '  ticker pending']);
    const failing = line3(DeploymentPhase.IN_PROGRESS, { ticker: progress('update', ComponentState.ERRORED, 'exited with 3') });
    const rollingBack = line3(DeploymentPhase.ROLLING_BACK, {
      ticker: progress('update', ComponentState.STARTING, 'exited with 3'),
    });
    expect(progressLines(failing, rollingBack)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) ROLLING_BACK',
      '  ticker update STARTING',
    ]);
  });

  it('prints only what changed, one line per change', () => {
    const starting = line3(DeploymentPhase.IN_PROGRESS, {
      'vibration-sensor': progress('update', ComponentState.STARTING),
      'anomaly-model': progress('create', ComponentState.RUNNING),
    });
    const sensorUp = line3(DeploymentPhase.IN_PROGRESS, {
      'vibration-sensor': progress('update', ComponentState.RUNNING),
      'anomaly-model': progress('create', ComponentState.RUNNING),
    });
    expect(progressLines(line3(DeploymentPhase.QUEUED), starting)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) IN_PROGRESS',
      '  anomaly-model create RUNNING',
      '  vibration-sensor update STARTING',
    ]);
    expect(progressLines(starting, sensorUp)).toEqual(['  vibration-sensor update RUNNING']);
    expect(progressLines(sensorUp, sensorUp)).toEqual([]);
  });

  it('carries the reason of a phase and of a component', () => {
    const before = line3(DeploymentPhase.IN_PROGRESS, { 'vibration-sensor': progress('update', ComponentState.STARTING) });
    const after = line3(
      DeploymentPhase.ROLLING_BACK,
      { 'vibration-sensor': progress('update', ComponentState.BROKEN, 'not RUNNING after its startup timeout (120s)') },
      { reason: 'vibration-sensor failed its health gate' },
    );
    expect(progressLines(before, after)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) ROLLING_BACK: vibration-sensor failed its health gate',
      '  vibration-sensor update BROKEN: not RUNNING after its startup timeout (120s)',
    ]);
  });
});

describe('deploymentOutcome', () => {
  it('says how long a successful deployment took', () => {
    const done = line3(
      DeploymentPhase.SUCCEEDED,
      { 'vibration-sensor': progress('update', ComponentState.RUNNING) },
      { startedAt: at('2026-11-26T12:00:02Z'), finishedAt: at('2026-11-26T12:00:36Z') },
    );
    expect(deploymentOutcome(done)).toEqual(['deployment line-3 r7 (01JD7Q3M2X) SUCCEEDED in 34s']);
  });

  it('gives the cause per failed component, and where a rollback put the device', () => {
    const rolledBack = line3(
      DeploymentPhase.FAILED_ROLLED_BACK,
      {
        'anomaly-model': progress('create', ComponentState.RUNNING),
        'vibration-sensor': progress('update', ComponentState.BROKEN, 'exited with code 1 three times within 1h'),
        uploader: progress('update', ComponentState.ERRORED),
      },
      { reason: 'vibration-sensor failed its health gate', rolledBackTo: '01JD6ZZ0AB' },
    );
    expect(deploymentOutcome(rolledBack)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) FAILED_ROLLED_BACK: vibration-sensor failed its health gate',
      '  uploader: ERRORED',
      '  vibration-sensor: BROKEN: exited with code 1 three times within 1h',
      'the device is back on deployment 01JD6ZZ0AB',
    ]);
  });

  it('gives the cause of a component the rollback put back, and where it is now', () => {
    const rolledBack = line3(
      DeploymentPhase.FAILED_ROLLED_BACK,
      { ticker: progress('update', ComponentState.RUNNING, 'exited with 3') },
      { reason: 'ticker: exited with 3', rolledBackTo: 'hello-r1-486bac' },
    );
    expect(deploymentOutcome(rolledBack)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) FAILED_ROLLED_BACK: ticker: exited with 3',
      '  ticker: exited with 3 (now RUNNING)',
      'the device is back on deployment hello-r1-486bac',
    ]);
  });

  it('says why a deployment was superseded', () => {
    const superseded = line3(DeploymentPhase.SUPERSEDED, {}, { reason: 'superseded by line-3 r8 (01JD7R0000)' });
    expect(deploymentOutcome(superseded)).toEqual([
      'deployment line-3 r7 (01JD7Q3M2X) SUPERSEDED: superseded by line-3 r8 (01JD7R0000)',
    ]);
  });
});
