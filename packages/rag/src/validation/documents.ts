/** Checks of documents on their way into an index. */
import type { Document } from '../types';
import { parseIsoDate } from '../retrieve/metadata-filter';
import { checkText, describe } from './checks';
import { RagArgumentError } from './rag-argument-error';

const AUTHORITY = new Set(['A', 'B', 'C', 'D', 'E']);

/**
 * Checks one document: non-empty `pageContent`, a metadata object, and when present a string `id`, an authority
 * level A–E and an ISO 8601 `date`.
 *
 * @throws {@link RagArgumentError} naming `field` and the bad part.
 */
export function checkDocument(field: string, doc: unknown): Document {
  if (typeof doc !== 'object' || doc === null) throw new RagArgumentError(field, `must be a document, got ${describe(doc)}`);
  const d = doc as Document;
  checkText(`${field}.pageContent`, d.pageContent);
  if (typeof d.metadata !== 'object' || d.metadata === null || Array.isArray(d.metadata)) {
    throw new RagArgumentError(`${field}.metadata`, `must be an object, got ${describe(d.metadata)}`);
  }
  const m = d.metadata;
  if (m.id !== undefined && (typeof m.id !== 'string' || m.id.length === 0)) {
    throw new RagArgumentError(`${field}.metadata.id`, `must be a non-empty string, got ${describe(m.id)}`);
  }
  if (m.authority !== undefined && !AUTHORITY.has(m.authority)) {
    throw new RagArgumentError(`${field}.metadata.authority`, `must be one of A, B, C, D, E, got ${describe(m.authority)}`);
  }
  if (m.date !== undefined) parseIsoDate(`${field}.metadata.date`, m.date);
  return d;
}
