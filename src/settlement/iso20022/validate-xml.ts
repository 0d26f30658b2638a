import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { validateXML } from 'xmllint-wasm';

export interface XmlValidationIssue {
  message: string;
  line: number | null;
}

export interface XmlValidationResult {
  valid: boolean;
  errors: XmlValidationIssue[];
}

const xsdCache = new Map<string, Promise<string>>();

function loadXsd(xsdPath: string): Promise<string> {
  const key = path.resolve(xsdPath);
  let p = xsdCache.get(key);
  if (p === undefined) {
    p = readFile(key, 'utf8');
    xsdCache.set(key, p);
    p.catch(() => xsdCache.delete(key));
  }
  return p;
}

/**
 * Validates an XML document against an XSD with libxml2's xmllint (compiled to
 * WebAssembly, run in a worker thread; no native dependency and no network).
 * A document that is not even well-formed is reported invalid, not thrown.
 */
export async function validateXml(xml: string | Buffer, xsdPath: string): Promise<XmlValidationResult> {
  const schema = await loadXsd(xsdPath);
  const contents = typeof xml === 'string' ? xml : new Uint8Array(xml);
  const result = await validateXML({
    xml: [{ fileName: 'document.xml', contents }],
    schema: [{ fileName: path.basename(xsdPath), contents: schema }],
    maxMemoryPages: 4096, // 256 MiB: large statements must not run out of wasm memory
  });
  const errors = result.errors.map((e) => ({ message: e.message.trim(), line: e.loc?.lineNumber ?? null }));
  // xmllint reports some failures only in its raw output; never call those valid.
  const valid = result.valid && errors.length === 0;
  if (!valid && errors.length === 0) errors.push({ message: result.rawOutput.trim() || 'invalid', line: null });
  return { valid, errors };
}
