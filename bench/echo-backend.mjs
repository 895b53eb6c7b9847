// The bench's backend: Portico's own echo server (dist/gateway), alone in its process, on a free
// port (or PORT). Prints its URL on the first line of stdout. Every proxy in the bench forwards here.
const dist = new URL(process.env.PORTICO_DIST ?? '../dist/', import.meta.url);
const { createEchoServer } = await import(new URL('gateway/index.js', dist).href);
const { pino } = await import('pino');

const server = createEchoServer(pino({ level: 'silent' }));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
