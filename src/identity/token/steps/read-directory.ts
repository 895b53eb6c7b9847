import { StaleViewError } from '../stale-view.js';
import type { TokenStep } from '../token-context.js';

/**
 * Takes the current in-memory directory once, so every later step reads the same state. Every
 * grant reads the directory here, so this is where a view that may be stale is refused (503).
 */
export const readDirectory: TokenStep = (ctx, deps) => {
  if (!deps.viewCurrent()) throw new StaleViewError();
  const current = deps.view.current();
  if (!(current instanceof Promise)) {
    ctx.directory = current;
    return undefined;
  }
  return current.then((directory) => {
    ctx.directory = directory;
  });
};
