import { runEvery } from './periodic';

describe('runEvery', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs the work every interval, keeps going after a failure, and stops when asked', async () => {
    const runs: number[] = [];
    const errors: unknown[] = [];
    let n = 0;
    const stop = runEvery(
      1_000,
      () => {
        n += 1;
        runs.push(n);
        return n === 2 ? Promise.reject(new Error('second run fails')) : Promise.resolve();
      },
      (error) => errors.push(error),
    );
    await jest.advanceTimersByTimeAsync(3_500);
    expect(runs).toEqual([1, 2, 3]);
    expect(errors).toEqual([new Error('second run fails')]);
    stop();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(runs).toEqual([1, 2, 3]);
  });

  it('never runs for an interval of zero (off, as in tests)', async () => {
    const work = jest.fn(() => Promise.resolve());
    runEvery(0, work, () => undefined)();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(work).not.toHaveBeenCalled();
  });
});
