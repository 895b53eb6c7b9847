/**
 * An async mutex per key, shared by every store in this process. SQLite's own locking makes a
 * blocked connection wait synchronously (busy_timeout), which freezes the event loop: two stores on
 * one file in one process would then wait for each other until SQLITE_BUSY. Taking this lock first
 * keeps them from ever contending inside SQLite; busy_timeout is left for other processes.
 */
const queues = new Map<string, (() => void)[]>();

export async function acquireProcessLock(key: string): Promise<void> {
  const waiting = queues.get(key);
  if (waiting === undefined) {
    queues.set(key, []);
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

export function releaseProcessLock(key: string): void {
  const waiting = queues.get(key);
  const next = waiting?.shift();
  if (next) next();
  else queues.delete(key);
}
