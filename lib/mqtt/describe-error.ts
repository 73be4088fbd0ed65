/** A readable one-line reason; Node's AggregateError (IPv4 and IPv6 both refused) has no message. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describeError).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    // OpenSSL messages end in a line break
    return error.message.trim() || (code === undefined ? error.name : String(code));
  }
  return String(error);
}
