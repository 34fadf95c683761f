// Errors in OpenAI's shape (`{"error":{"message","type","param","code"}}`), which is what
// vLLM answers too and what the `openai` client parses.

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export class OpenAiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly type: string,
    readonly code: string | null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiError';
  }

  toBody(): OpenAiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const modelNotFound = (model: string): OpenAiError =>
  new OpenAiError(
    404,
    `The model \`${model}\` does not exist.`,
    'invalid_request_error',
    'model_not_found',
    'model',
  );

export const invalidField = (param: string, message: string): OpenAiError =>
  new OpenAiError(400, `${param}: ${message}`, 'invalid_request_error', 'invalid_value', param);

export const invalidApiKey = (): OpenAiError =>
  new OpenAiError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');

export const routeNotFound = (method: string, path: string): OpenAiError =>
  new OpenAiError(404, `No route ${method} ${path}.`, 'invalid_request_error', 'not_found');
