/**
 * The checks the service makes on a demo request (body shape, pipeline name, the input's
 * fields), written out by hand for the bare baselines of scenario 2 to 4: they validate what
 * the service validates, without its validation library.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function validateDemoRequest(body: unknown): {
  pipeline: string;
  input: Record<string, unknown>;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, 'body must be an object');
  }
  const { pipeline, input, ...rest } = body as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new HttpError(400, 'unknown property');
  if (typeof pipeline !== 'string' || pipeline === '') throw new HttpError(400, 'pipeline');
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new HttpError(400, 'input must be an object');
  }
  if (pipeline !== 'demo') throw new HttpError(400, `Unknown pipeline "${pipeline}"`);
  const fields = input as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'input' && key !== 'stepMs') throw new HttpError(400, `input.${key} is unknown`);
  }
  const stepMs = fields.stepMs ?? 500;
  if (typeof stepMs !== 'number' || !Number.isInteger(stepMs) || stepMs < 0 || stepMs > 60_000) {
    throw new HttpError(400, 'input.stepMs must be an integer from 0 to 60000');
  }
  return { pipeline, input: fields };
}
