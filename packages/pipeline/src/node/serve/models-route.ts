/**
 * `GET /v1/models` and `GET /v1/models/:id`: the one model this server serves, in OpenAI's shape.
 *
 * @packageDocumentation
 */
import type { Context } from 'hono';
import type { RouteContext } from './route-context';
import { OpenAIApiError } from './serve-errors';

function modelObject(ctx: RouteContext) {
  return { id: ctx.modelId, object: 'model', created: ctx.created, owned_by: 'quarkmed', context_length: ctx.engine.maxSeqLen };
}

/** `GET /v1/models`. */
export function listModelsRoute(c: Context, ctx: RouteContext): Response {
  return c.json({ object: 'list', data: [modelObject(ctx)] });
}

/** `GET /v1/models/:id`; another id is OpenAI's 404 `model_not_found`. */
export function retrieveModelRoute(c: Context, ctx: RouteContext): Response {
  const id = c.req.param('id') ?? '';
  if (id !== ctx.modelId) throw new OpenAIApiError(404, `The model '${id}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
  return c.json(modelObject(ctx));
}
