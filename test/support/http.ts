export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request to the service; `raw` sends the body as given. */
export async function request<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  options: { raw?: string; headers?: Record<string, string> } = {},
): Promise<HttpAnswer<T>> {
  const payload = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: payload,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : undefined) as T,
  };
}
