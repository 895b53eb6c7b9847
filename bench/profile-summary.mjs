// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by where the code lives
// (Portico, undici, pino, Node's http/net/streams, GC, idle). Used by bench/gateway.mjs BENCH_PROFILE;
// also runnable alone: node bench/profile-summary.mjs <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function summarise(profile, top = 30) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfSamples = new Map();
  for (const id of profile.samples) selfSamples.set(id, (selfSamples.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const functions = new Map();
  const areas = new Map();
  for (const [id, count] of selfSamples) {
    const { callFrame } = byId.get(id);
    const where = callFrame.url ? `${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}` : '';
    const name = `${callFrame.functionName || '(anonymous)'} ${where}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + count);
    const area = areaOf(callFrame);
    areas.set(area, (areas.get(area) ?? 0) + count);
  }
  const pct = (n) => `${((n / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${total} samples; self time by area:`];
  for (const [area, count] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(count)}  ${area}`);
  lines.push(`top ${top} functions by self time:`);
  for (const [name, count] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(count)}  ${name}`);
  // Inclusive time (the function and everything it called) of Portico's own functions and the logger.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  for (const [id, count] of selfSamples) {
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { callFrame } = byId.get(at);
      if (!/\/dist\/|node_modules\/pino\//.test(callFrame.url)) continue;
      const name = `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + count);
    }
  }
  lines.push(`top ${top} Portico and pino functions by inclusive time (with what they call):`);
  for (const [name, count] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(count)}  ${name}`);
  return lines.join('\n');
}

function shortUrl(url) {
  return url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');
}

export function areaOf({ url, functionName }) {
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'V8/native (program)';
  if (url.includes('/dist/gateway/')) return 'Portico gateway (dist/gateway)';
  if (url.includes('/dist/')) return 'Portico, other (dist/)';
  if (url.includes('node_modules/undici/')) return 'undici';
  if (url.includes('node_modules/pino') || url.includes('node_modules/sonic-boom')) return 'pino (access log)';
  if (url.includes('node_modules/prom-client')) return 'prom-client (metrics)';
  if (url.includes('node_modules/')) return 'other dependencies';
  if (url.startsWith('node:_http') || url.startsWith('node:http')) return 'node:http';
  if (url.startsWith('node:net') || url.startsWith('node:stream') || url.startsWith('node:internal/streams')) return 'node:net and streams';
  if (url.startsWith('node:')) return 'Node, other internals';
  return 'native / builtins';
}

/**
 * CPU µs per request by area over the last `windowSeconds` of the profile (the measured load; the
 * process is stopped right after it, so start-up and warm-up fall outside), each sample weighted by
 * its time delta. `busy` is everything but idle.
 */
export function perRequestByArea(profile, requests, windowSeconds) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = [];
  let at = profile.startTime;
  for (const delta of profile.timeDeltas) times.push((at += delta));
  const from = profile.endTime - windowSeconds * 1e6;
  const areas = new Map();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    if (times[i] < from) return;
    const weight = profile.timeDeltas[i + 1] ?? profile.endTime - times[i];
    const area = areaOf(byId.get(id).callFrame);
    areas.set(area, (areas.get(area) ?? 0) + weight);
    if (area !== 'idle (waiting for I/O)') busy += weight;
  });
  const perRequest = new Map([...areas].map(([area, us]) => [area, us / requests]));
  perRequest.set('busy', busy / requests);
  return perRequest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(summarise(JSON.parse(readFileSync(process.argv[2], 'utf8')), Number(process.argv[3] ?? 30)));
}
