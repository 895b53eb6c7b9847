import type { TokenStep } from '../token-context.js';

/** Takes the current in-memory directory once, so every later step reads the same state. */
export const readDirectory: TokenStep = (ctx, deps) => {
  const current = deps.view.current();
  if (!(current instanceof Promise)) {
    ctx.directory = current;
    return undefined;
  }
  return current.then((directory) => {
    ctx.directory = directory;
  });
};
