/**
 * The hash that identifies a prompt in predictions files: SHA-256 (Web Crypto) of the messages' canonical JSON.
 *
 * @packageDocumentation
 */
import type { EvalMessage } from '../models/eval-model';

/** Lower-case hex SHA-256 of a string's UTF-8 bytes. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The hash of a prompt's messages (`[{role, content}, ...]` as JSON). */
export function promptHash(messages: readonly EvalMessage[]): Promise<string> {
  return sha256Hex(JSON.stringify(messages.map((m) => ({ role: m.role, content: m.content }))));
}
