import { describe, expect, it } from 'vitest';
import { deploymentText } from './job-document.js';
import { outcomeDetails, refusalDetails, STATUS_DETAIL_MAX, statusDetails } from './job-status-details.js';

describe('statusDetails', () => {
  it('keeps values AWS takes: no empty ones, no control characters, at most STATUS_DETAIL_MAX characters', () => {
    const details = statusDetails({ empty: '', blank: ' \n ', multiline: 'line one\nline two\t(tab)', long: '🙂'.repeat(300) });
    expect(details).toEqual({ multiline: 'line one line two (tab)', long: `${'🙂'.repeat(STATUS_DETAIL_MAX - 1)}…` });
  });

  it('says a deployment id, its phase and, when it failed, why', () => {
    expect(outcomeDetails({ id: 'line-3-7-ab12', phase: 'SUCCEEDED', reason: '' })).toEqual({
      deploymentId: 'line-3-7-ab12',
      phase: 'SUCCEEDED',
    });
    expect(outcomeDetails({ id: 'd', phase: 'FAILED', reason: 'pump: exited with 7' })).toEqual({
      deploymentId: 'd',
      phase: 'FAILED',
      reason: 'pump: exited with 7',
    });
  });

  it('lists a refused document’s problems as path: reason', () => {
    expect(
      refusalDetails('2 problems', [
        { path: 'a.b', reason: 'unknown field' },
        { path: 'c', reason: 'required' },
      ]),
    ).toEqual({
      reason: '2 problems',
      problems: 'a.b: unknown field; c: required',
    });
  });
});

describe('deploymentText', () => {
  it('reads an object as the deployment and a string as its text', () => {
    expect(deploymentText({ kind: 'Deployment' })).toEqual({ text: '{"kind":"Deployment"}' });
    expect(deploymentText('kind: Deployment\n')).toEqual({ text: 'kind: Deployment\n' });
  });

  it('says why anything else is not a deployment', () => {
    expect(deploymentText(undefined)).toEqual({ problem: 'the job has no job document' });
    expect(deploymentText('  ')).toEqual({ problem: 'the job document is an empty string, not a Lichen deployment' });
    expect(deploymentText([1])).toEqual({
      problem: 'the job document is an array, not a Lichen deployment (an object, or its YAML or JSON text)',
    });
    expect(deploymentText(null)).toMatchObject({ problem: expect.stringMatching(/^the job document is null/) });
  });
});
