// What a caught value says, for a log line: thrown values need not be Errors.
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
