/**
 * The optional bearer API key, compared in constant time.
 *
 * @packageDocumentation
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OpenAIApiError } from './serve-errors';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** A checker of `Authorization` headers against `apiKey`. */
export function apiKeyChecker(apiKey: string): (authorization: string | undefined) => void {
  const expected = digest(apiKey);
  return (authorization) => {
    if (authorization === undefined || authorization.trim() === '') {
      throw new OpenAIApiError(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        'invalid_request_error',
        null,
        'missing_api_key',
      );
    }
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (!m || !timingSafeEqual(digest(m[1]!), expected)) {
      throw new OpenAIApiError(401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key');
    }
  };
}
