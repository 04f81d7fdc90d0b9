import { describe, expect, it } from 'vitest';
import { AllEndpointsFailed, EndpointPool } from '../../src-main/common/endpoint-pool';

describe('endpoint pool', () => {
  it('answers every caller waiting for a slot when the only endpoint fails and opens', async () => {
    const pool = new EndpointPool([{ key: 'a', endpoint: 'a', maxConcurrent: 1 }], {
      failuresToOpen: 1,
    });
    let fail!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = pool.run(
      () =>
        new Promise<never>((_, reject) => {
          fail = () => reject(new Error('down'));
          started();
        }),
    );
    await running;
    // Two more wait for the one slot.
    const waiting = [pool.run(() => Promise.resolve(1)), pool.run(() => Promise.resolve(2))];
    fail();
    const settled = await Promise.allSettled([first, ...waiting]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const s of settled) {
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(AllEndpointsFailed);
    }
    expect(pool.stats()[0]).toMatchObject({ state: 'open', errors: 1, outstanding: 0 });
  });
});
