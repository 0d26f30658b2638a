/** Recognises a unique-key violation from either driver and names the constraint (MySQL) or columns (SQLite). */
export function uniqueViolationOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: string; driverError?: { code?: string; message?: string }; message?: string };
  const code = e.driverError?.code ?? e.code;
  const message = e.driverError?.message ?? e.message ?? '';
  if (code === 'ER_DUP_ENTRY') {
    const match = /for key '(?:[^.']+\.)?([^']+)'/.exec(message);
    return match?.[1] ?? 'unique';
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const match = /UNIQUE constraint failed: (.+)$/.exec(message);
    return match?.[1] ?? 'unique';
  }
  return undefined;
}
