import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { ComponentState, ComponentStatusSchema } from '@lichen/contracts';
import { formatComponentTable } from './component-table.format.js';

describe('formatComponentTable', () => {
  it('shows each component by name, with how long it has been in its state', () => {
    const now = new Date('2026-11-26T14:00:00Z');
    const lines = formatComponentTable(
      [
        create(ComponentStatusSchema, {
          name: 'vibration-sensor',
          runtime: 'docker',
          version: '1.2.0',
          state: ComponentState.BROKEN,
          restarts: 3,
          reason: 'exited with code 1 three times within 1h',
          since: timestampFromDate(new Date('2026-11-26T13:47:30Z')),
        }),
        create(ComponentStatusSchema, {
          name: 'anomaly-model',
          runtime: 'process',
          version: '3.0.1',
          state: ComponentState.RUNNING,
          since: timestampFromDate(new Date('2026-11-24T11:00:00Z')),
        }),
      ],
      now,
    );
    expect(lines).toEqual([
      'NAME              RUNTIME  VERSION  STATE    RESTARTS  SINCE   REASON',
      'anomaly-model     process  3.0.1    RUNNING  0         2d3h',
      'vibration-sensor  docker   1.2.0    BROKEN   3         12m30s  exited with code 1 three times within 1h',
    ]);
  });

  it('says so when the device runs nothing', () => {
    expect(formatComponentTable([], new Date())).toEqual(['no components on the device']);
  });
});
