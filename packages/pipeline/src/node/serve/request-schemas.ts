/**
 * zod schemas of the request bodies of `/v1/chat/completions` and `/v1/completions` (OpenAI's fields that this
 * server honours, plus the `retrieval` extension), and the translation of a validation failure to an OpenAI 400.
 *
 * Fields that would change the result but are not implemented (`tools`, `logprobs`, non-zero penalties, JSON
 * response formats, `suffix`, `echo`, `best_of` > 1) are refused by name rather than ignored; unknown fields are
 * refused as OpenAI does ("Unrecognized request argument supplied").
 *
 * @packageDocumentation
 */
import { z } from 'zod';
import { OpenAIApiError } from './serve-errors';

const unsupportedUnlessZero = z
  .number()
  .nullable()
  .optional()
  .refine((v) => v === undefined || v === null || v === 0, { message: 'is not supported by this server (only 0 or absent)' });

const stop = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(4)]).nullable().optional();

const sampling = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().gt(0).max(1).nullable().optional(),
  n: z.number().int().min(1).nullable().optional(),
  stop,
  seed: z.number().int().min(0).max(0xffffffff).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullable().optional(),
  user: z.string().optional(),
  presence_penalty: unsupportedUnlessZero,
  frequency_penalty: unsupportedUnlessZero,
  /** Extension: retrieval-augment this request (default: on when the server has a retriever). */
  retrieval: z.boolean().optional(),
};

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });

/** A chat message: system, developer (treated as system), user or assistant, with text content. */
export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer', 'user', 'assistant']),
  content: z.union([z.string(), z.array(textPart).min(1)]),
  name: z.string().optional(),
});

/** The body of `POST /v1/chat/completions`. */
export const chatCompletionRequestSchema = z.strictObject({
  ...sampling,
  messages: z.array(chatMessageSchema).min(1),
  max_completion_tokens: z.number().int().min(1).nullable().optional(),
  logprobs: z.literal(false).nullable().optional(),
  response_format: z.strictObject({ type: z.literal('text') }).optional(),
});
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** The body of `POST /v1/completions`: a prompt as a string, strings, token ids or lists of token ids. */
export const completionRequestSchema = z.strictObject({
  ...sampling,
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int().min(0)).min(1),
    z.array(z.array(z.number().int().min(0)).min(1)).min(1),
  ]),
  logprobs: z.null().optional(),
  echo: z.literal(false).optional(),
  best_of: z.literal(1).nullable().optional(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

/** `messages[0].content` for a zod path. */
export function formatParam(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

/**
 * Validates a parsed JSON body.
 *
 * @throws {@link OpenAIApiError} 400 (`invalid_request_error`) naming the first field at fault in `param`
 */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OpenAIApiError(400, 'The request body must be a JSON object.', 'invalid_request_error', null, 'invalid_body');
  }
  const parsed = schema.safeParse(body, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const param = formatParam([...issue.path, key]);
    throw new OpenAIApiError(400, `Unrecognized request argument supplied: ${param}`, 'invalid_request_error', param, 'unrecognized_argument');
  }
  const param = formatParam(issue.path);
  const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_union') && issue.input === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid value for '${param}': ${issue.message}`;
  throw new OpenAIApiError(400, message, 'invalid_request_error', param || null, missing ? 'missing_required_parameter' : 'invalid_value');
}
