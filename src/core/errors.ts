import { randomUUID } from 'node:crypto';

/**
 * Errors carry a machine-readable code and, where there is one, the cause. A `UserError` is the user's to fix
 * and becomes a helpful reply; any other error is logged with a reference id and the user sees that id.
 */
export class MegaphoneError extends Error {
  /**
   * @example
   * throw new MegaphoneError('db_connect', 'Could not connect to Postgres', { cause: err });
   */
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MegaphoneError';
  }
}

/**
 * Something the user can fix: bad input, an unknown command, a missing file. Its message is shown as is,
 * so it must say what was wrong and what to do instead.
 *
 * @example
 * throw new UserError('unknown_format', 'Unknown format "xlsx". Use --format online-retail or --format events.');
 */
export class UserError extends MegaphoneError {
  constructor(code: string, message: string, options?: { cause?: unknown; hint?: string }) {
    super(code, message, options);
    this.name = 'UserError';
    this.hint = options?.hint;
  }
  readonly hint: string | undefined;
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** A short reference id that links the user's message to the full log entry. */
export function newReferenceId(): string {
  return randomUUID().slice(0, 8).toUpperCase();
}
