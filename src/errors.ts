/** A user's mistake (bad suite, bad arguments, bad results file): printed without a stack trace, exit status 2. */
export class UserError extends Error {
  override name = 'UserError';
}
