import { parseFormBody } from '../form-body.js';
import type { TokenStep } from '../token-context.js';

/** Only the body counts: the query string (MSAL's ?client-request-id=) is ignored, never read for credentials. */
export const parseForm: TokenStep = (ctx) => {
  ctx.params = parseFormBody(ctx.request.contentType, ctx.request.body);
};
