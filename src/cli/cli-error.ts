/**
 * A failure the CLI reports as one readable message (no stack) before exiting.
 * Exit code 1 for failed operations, 2 for usage mistakes (the same code commander uses for bad flags).
 * `code` is the server's error code when the failure is an error answer (e.g. ResourceNotFound).
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** A mistake in how the command was called, found after commander's own checks. */
export function usageError(message: string): CliError {
  return new CliError(`error: ${message}`, 2);
}
