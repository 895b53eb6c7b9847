/**
 * Test-only crash points. `PORTICO_TEST_CRASH_AT=<step>` makes the process kill itself with SIGKILL
 * (no clean-up, no finally blocks: what a power cut or `kill -9` does) when it reaches that step,
 * so a test can check what a restart finds. Honoured only when NODE_ENV is `test`; anywhere else
 * the variable is ignored. The steps are listed in docs/architecture.md.
 */
export function crashPoint(step: string): void {
  if (process.env.NODE_ENV !== 'test') return;
  if (process.env.PORTICO_TEST_CRASH_AT !== step) return;
  process.kill(process.pid, 'SIGKILL');
}
