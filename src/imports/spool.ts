import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { badInput } from '../common/domain-error';

/** Largest upload an import endpoint accepts. */
export const MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Writes an upload to a private temporary file (constant memory), so the request can be answered with a
 * job id at once and the job reads the file at its own pace. Returns the path and size.
 */
export async function spoolToTempFile(
  source: NodeJS.ReadableStream,
  maxBytes = MAX_UPLOAD_BYTES,
): Promise<{ path: string; bytes: number }> {
  const dir = join(tmpdir(), 'gongying-imports');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${randomUUID()}.upload`);
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) callback(badInput('body', 'TOO_LARGE'));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(source, limit, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    await removeQuietly(path);
    throw error;
  }
  return { path, bytes };
}

export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // already gone
  }
}
