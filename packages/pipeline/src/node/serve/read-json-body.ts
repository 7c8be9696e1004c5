/**
 * The JSON body of a request, or OpenAI's 400 for a body that is not JSON.
 *
 * @packageDocumentation
 */
import type { Context } from 'hono';
import { OpenAIApiError } from './serve-errors';

/** Reads and parses the body (its size is bounded by the body-limit middleware before this runs). */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') throw new OpenAIApiError(400, 'The request body is empty; send a JSON object.', 'invalid_request_error', null, 'invalid_body');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OpenAIApiError(
      400,
      `We could not parse the JSON body of your request: ${error instanceof Error ? error.message : String(error)}`,
      'invalid_request_error',
      null,
      'invalid_json',
    );
  }
}
