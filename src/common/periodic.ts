/**
 * Runs `work` every `ms` milliseconds in the background; `ms` ≤ 0 means never. The timer is unref'd (it never
 * keeps a process alive) and a failing run goes to `onError` without stopping the next. Returns the stop function.
 */
export function runEvery(ms: number, work: () => Promise<unknown>, onError: (error: unknown) => void): () => void {
  if (ms <= 0) return () => undefined;
  const timer = setInterval(() => {
    work().catch(onError);
  }, ms);
  timer.unref();
  return () => clearInterval(timer);
}
