/**
 * How the user runs Portico, so hints print a command they can paste: `npx portico …` when run
 * through npx / `npm exec` (npm sets npm_command=exec), `portico …` otherwise.
 */
let prefix = 'portico';

export function detectInvocation(env: NodeJS.ProcessEnv): string {
  return env.npm_command === 'exec' || /npx-cli\.js$/.test(env.npm_execpath ?? '') ? 'npx portico' : 'portico';
}

export function setInvocation(name: string): void {
  prefix = name;
}

/** `portico(…)`: the command line for a hint, e.g. portico('start') → `npx portico start`. */
export function portico(rest: string): string {
  return `${prefix} ${rest}`;
}
