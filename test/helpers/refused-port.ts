import { connect } from 'node:net';

/**
 * A port on 127.0.0.1 where connections are refused, for tests of "nothing listens there". Not a
 * free port found and closed again: with test files running in parallel another test's server may
 * take it meanwhile (it happened in CI). Port 4 (unassigned) is below the range any listener here
 * is given, nothing serves it, and fetch does not refuse it as a "bad port" (it does 1, 7, 9, …);
 * this checks that nothing listens, and fails loudly if something does.
 */
export async function refusedPort(): Promise<number> {
  const port = 4;
  const refused = await new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
  if (!refused) throw new Error(`something listens on 127.0.0.1:${port}; these tests need connections there refused`);
  return port;
}
