import { XMLParser } from 'fast-xml-parser';
import { badInput } from '../../common';

/** A parsed XML node as fast-xml-parser returns it (strings only: parseTagValue is off). */
export type XNode = { [key: string]: XValue };
export type XValue = string | XNode | XValue[] | undefined;

const ARRAY_TAGS = new Set([
  'Stmt',
  'Ntry',
  'NtryDtls',
  'TxDtls',
  'Ustrd',
  'Strd',
  'Bal',
  'OrgnlPmtInfAndSts',
  'TxInfAndSts',
  'StsRsnInf',
  'AddtlInf',
  'PmtInf',
  'CdtTrfTxInf',
]);

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAY_TAGS.has(name),
});

/**
 * Parses an ISO 20022 document and returns its message element (the child of
 * Document). A DOCTYPE is refused: bank files never need one, and refusing it
 * rules out entity-expansion tricks.
 */
export function parseIsoDocument(xml: string | Buffer, expectedRoot: string): XNode {
  const text = (typeof xml === 'string' ? xml : xml.toString('utf8')).replace(/^\uFEFF/, '');
  if (/<!DOCTYPE/i.test(text)) throw badInput('file', 'DOCTYPE_NOT_ALLOWED');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch {
    throw badInput('file', 'MALFORMED_XML');
  }
  const root = child(asNode(doc), 'Document');
  const msg = child(root, expectedRoot);
  if (msg === undefined) throw badInput('file', 'UNEXPECTED_MESSAGE_TYPE', `Expected a ${expectedRoot} document`);
  return msg;
}

export function asNode(v: unknown): XNode | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as XNode) : undefined;
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  const v = node?.[name];
  return asNode(Array.isArray(v) ? v[0] : v);
}

export function children(node: XNode | undefined, name: string): XNode[] {
  const v = node?.[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list
    .map((x) => (typeof x === 'string' ? { '#text': x } : asNode(x)))
    .filter((x): x is XNode => x !== undefined);
}

/** Text of a leaf element (or of its #text when it has attributes). */
export function text(node: XNode | undefined, ...path: string[]): string | undefined {
  let cur: XValue = node;
  for (const p of path) {
    const n = asNode(Array.isArray(cur) ? cur[0] : cur);
    if (n === undefined) return undefined;
    cur = n[p];
  }
  if (Array.isArray(cur)) cur = cur[0];
  if (typeof cur === 'string') return cur;
  const n = asNode(cur);
  const t = n?.['#text'];
  return typeof t === 'string' ? t : undefined;
}

export function texts(node: XNode | undefined, name: string): string[] {
  const v = node?.[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list
    .map((x) => (typeof x === 'string' ? x : text(asNode(x))))
    .filter((x): x is string => x !== undefined && x !== '');
}

export function attr(node: XNode | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`];
  return typeof v === 'string' ? v : undefined;
}
