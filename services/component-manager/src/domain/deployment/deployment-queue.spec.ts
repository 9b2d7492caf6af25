import { describe, expect, it } from 'vitest';
import { DeploymentQueue } from './deployment-queue.js';

describe('DeploymentQueue', () => {
  it('hands deployments out in the order they came', () => {
    const queue = new DeploymentQueue();
    queue.enqueue({ id: 'a', target: 'line-1' });
    queue.enqueue({ id: 'b', target: 'line-2' });
    expect([queue.take()?.id, queue.take()?.id, queue.take()]).toEqual(['a', 'b', undefined]);
  });

  it('lets a newer deployment for the same target supersede the queued one, and keeps other targets', () => {
    const queue = new DeploymentQueue();
    queue.enqueue({ id: 'a', target: 'line-1' });
    queue.enqueue({ id: 'b', target: 'line-2' });
    expect(queue.enqueue({ id: 'c', target: 'line-1' })).toEqual([{ id: 'a', target: 'line-1' }]);
    expect(queue.list().map((item) => item.id)).toEqual(['b', 'c']);
  });

  it('drops a cancelled queued deployment', () => {
    const queue = new DeploymentQueue();
    queue.enqueue({ id: 'a', target: '' });
    expect(queue.remove('a')?.id).toBe('a');
    expect(queue.remove('a')).toBeUndefined();
    expect(queue.take()).toBeUndefined();
  });
});
