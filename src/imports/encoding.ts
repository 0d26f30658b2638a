import iconv from 'iconv-lite';

export type DetectedEncoding = 'UTF-8' | 'UTF-8-BOM' | 'GB18030';

/** How many leading bytes decide the encoding: enough for a header and many rows, still constant memory. */
export const ENCODING_SAMPLE_BYTES = 64 * 1024;

/**
 * UTF-8 with a BOM, plain UTF-8 when the sample is valid UTF-8 (a sequence cut at the sample's end is
 * tolerated), otherwise GB18030 (a superset of GBK and GB2312, which Chinese partners' Excel exports use).
 */
export function detectEncoding(sample: Buffer): DetectedEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'UTF-8-BOM';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'UTF-8';
  } catch {
    return 'GB18030';
  }
}

/**
 * Decodes a byte stream to text chunks: buffers only the first ENCODING_SAMPLE_BYTES to detect the
 * encoding, then decodes chunk by chunk, so memory stays flat whatever the file size.
 */
export async function* decodeText(
  input: AsyncIterable<Buffer | string | Uint8Array>,
  onDetected?: (encoding: DetectedEncoding) => void,
): AsyncGenerator<string> {
  const pending: Buffer[] = [];
  let pendingBytes = 0;
  let decoder: ReturnType<typeof iconv.getDecoder> | null = null;
  const open = (sample: Buffer): ReturnType<typeof iconv.getDecoder> => {
    const encoding = detectEncoding(sample);
    onDetected?.(encoding);
    return iconv.getDecoder(encoding === 'GB18030' ? 'gb18030' : 'utf8', { stripBOM: true });
  };
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    if (decoder === null) {
      pending.push(buffer);
      pendingBytes += buffer.length;
      if (pendingBytes < ENCODING_SAMPLE_BYTES) continue;
      const sample = Buffer.concat(pending);
      pending.length = 0;
      decoder = open(sample);
      const text = decoder.write(sample);
      if (text) yield text;
      continue;
    }
    const text = decoder.write(buffer);
    if (text) yield text;
  }
  if (decoder === null) {
    const sample = Buffer.concat(pending);
    decoder = open(sample);
    const text = decoder.write(sample);
    if (text) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}
