// SPDX-License-Identifier: MIT
/**
 * Work an indicators request starts and does not wait for: recomputing stale dashboard figures, making
 * a board report. Its state lives in the database (snapshots, report jobs), so any app process can
 * answer about it; this only lets a closing app, or a test, wait for what this process started.
 */
const pending = new Set<Promise<unknown>>();

/** Runs `work` after the request, passing a failure to `onError` rather than throwing. */
export const runInBackground = (work: () => Promise<unknown>, onError: (error: unknown) => unknown): void => {
  const task: Promise<unknown> = work()
    .catch(onError)
    .catch((error) => console.error(`Background work failed: ${String(error)}`))
    .finally(() => pending.delete(task));
  pending.add(task);
};

/** Waits for every piece of background work this process started (and any they started). */
export const settleBackgroundWork = async (): Promise<void> => {
  while (pending.size > 0) await Promise.allSettled([...pending]);
};
