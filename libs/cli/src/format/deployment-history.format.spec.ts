import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { DeploymentPhase, DeploymentStatusSchema } from '@lichen/contracts';
import { formatDeploymentHistory } from './deployment-history.format.js';

const at = (iso: string) => timestampFromDate(new Date(iso));

describe('formatDeploymentHistory', () => {
  it('lists id, name, revision, phase, times and reason, newest first as given', () => {
    const lines = formatDeploymentHistory([
      create(DeploymentStatusSchema, {
        id: '01JD7R0000',
        name: 'line-3',
        revision: 8n,
        phase: DeploymentPhase.IN_PROGRESS,
        queuedAt: at('2026-11-26T12:05:00Z'),
      }),
      create(DeploymentStatusSchema, {
        id: '01JD7Q3M2X',
        name: 'line-3',
        revision: 7n,
        phase: DeploymentPhase.FAILED_ROLLED_BACK,
        reason: 'vibration-sensor failed its health gate',
        queuedAt: at('2026-11-26T12:00:00Z'),
        finishedAt: at('2026-11-26T12:02:31.456Z'),
      }),
    ]);
    expect(lines).toEqual([
      'ID          NAME    REV  PHASE               QUEUED                FINISHED              REASON',
      '01JD7R0000  line-3  8    IN_PROGRESS         2026-11-26 12:05:00Z  -',
      '01JD7Q3M2X  line-3  7    FAILED_ROLLED_BACK  2026-11-26 12:00:00Z  2026-11-26 12:02:31Z  vibration-sensor failed its health gate',
    ]);
  });

  it('says so when there is no history', () => {
    expect(formatDeploymentHistory([])).toEqual(['no deployments yet']);
  });
});
