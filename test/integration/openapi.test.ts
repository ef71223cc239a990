import { request } from '../support/http';
import { useService } from '../support/service-fixture';

const fixture = useService();

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Schema {
  $ref?: string;
  allOf?: Schema[];
  type?: string;
  items?: Schema;
  required?: string[];
  properties?: Record<string, Schema & { example?: unknown }>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation & { security?: Record<string, string[]>[] }>>;
  components: {
    schemas: Record<string, Schema>;
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
  };
}

/** Every route of the api role, with the statuses its documentation must describe. */
const ROUTES: [string, string, string[]][] = [
  ['post', '/analyses', ['202', '400', '401', '413', '429', '503']],
  ['get', '/analyses', ['200', '400', '401']],
  ['put', '/analyses/{id}', ['200', '202', '400', '401', '409', '413', '429', '503']],
  ['get', '/analyses/{id}', ['200', '400', '401', '404']],
  ['delete', '/analyses/{id}', ['202', '400', '401', '404', '409', '429', '503']],
  ['get', '/analyses/{id}/events', ['200', '400', '401', '404']],
  ['get', '/analyses/{id}/stream', ['200', '204', '400', '401', '404', '503']],
  ['get', '/pipelines', ['200']],
  ['get', '/health/live', ['200']],
  ['get', '/health/ready', ['200', '503']],
  ['get', '/metrics', ['200']],
];

let doc: OpenApi;

beforeAll(async () => {
  const answer = await request<OpenApi>(fixture.service.url, 'GET', '/docs-json');
  expect(answer.status).toBe(200);
  doc = answer.body;
});

const ref = (name: string) => `#/components/schemas/${name}`;
const jsonSchema = (operation: Operation, status: string) =>
  operation.responses[status].content?.['application/json']?.schema;

describe('OpenAPI document at /docs-json', () => {
  it('serves the Swagger UI at /docs', async () => {
    const answer = await fetch(`${fixture.service.url}/docs`);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toMatch(/swagger-ui/i);
  });

  it('lists every path and method, each with a summary and its success and error responses', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map(([method, path]) => `${method} ${path}`).sort());
    for (const [method, path, statuses] of ROUTES) {
      const operation = doc.paths[path][method];
      expect({ route: `${method} ${path}`, summary: typeof operation.summary }).toEqual({
        route: `${method} ${path}`,
        summary: 'string',
      });
      expect(Object.keys(operation.responses).sort()).toEqual([...statuses].sort());
    }
  });

  it('describes bodies with schemas: snapshots, events, pipelines and the error shape', () => {
    const snapshot = { $ref: ref('AnalysisSnapshot') };
    expect(jsonSchema(doc.paths['/analyses'].post, '202')).toEqual(snapshot);
    expect(jsonSchema(doc.paths['/analyses'].get, '200')).toEqual({
      type: 'array',
      items: snapshot,
    });
    expect(jsonSchema(doc.paths['/analyses/{id}'].get, '200')).toEqual(snapshot);
    expect(jsonSchema(doc.paths['/analyses/{id}'].delete, '202')).toEqual(snapshot);
    expect(jsonSchema(doc.paths['/analyses/{id}/events'].get, '200')).toEqual({
      type: 'array',
      items: { $ref: ref('AnalysisEvent') },
    });
    expect(jsonSchema(doc.paths['/pipelines'].get, '200')).toEqual({
      type: 'array',
      items: { $ref: ref('PipelineDescription') },
    });
    for (const [method, path, statuses] of ROUTES.filter(([, path]) =>
      path.startsWith('/analyses'),
    )) {
      for (const status of statuses.filter((code) => code.startsWith('4'))) {
        expect({
          route: `${status} ${method} ${path}`,
          schema: jsonSchema(doc.paths[path][method], status),
        }).toEqual({
          route: `${status} ${method} ${path}`,
          schema: { $ref: ref('ErrorResponse') },
        });
      }
    }
  });

  it('documents the SSE stream: its media type, Last-Event-ID and after', () => {
    const stream = doc.paths['/analyses/{id}/stream'].get;
    expect(Object.keys(stream.responses['200'].content ?? {})).toEqual(['text/event-stream']);
    expect(stream.parameters?.map(({ name, in: where }) => `${where}:${name}`).sort()).toEqual([
      'header:Last-Event-ID',
      'path:id',
      'query:after',
      'query:token',
    ]);
  });

  it('declares the bearer scheme on the analyses routes, and the token where a token is accepted', () => {
    expect(doc.components.securitySchemes?.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    for (const [method, path] of ROUTES.filter(([, path]) => path.startsWith('/analyses'))) {
      expect({ route: `${method} ${path}`, security: doc.paths[path][method].security }).toEqual({
        route: `${method} ${path}`,
        security: [{ bearer: [] }],
      });
    }
    const tokenRoutes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.parameters?.some(({ name }) => name === 'token'))
        .map(([method]) => `${method} ${path}`),
    );
    expect(tokenRoutes.sort()).toEqual([
      'get /analyses/{id}',
      'get /analyses/{id}/events',
      'get /analyses/{id}/stream',
    ]);
    expect(doc.paths['/pipelines'].get.security).toBeUndefined();
  });

  it('has schemas matching what the service returns, with examples', async () => {
    const { schemas } = doc.components;
    const created = await request(fixture.service.url, 'POST', '/analyses', {
      pipeline: 'stats',
      input: { columns: { a: [1, 2, 3, 5], b: [2, 4, 5, null] }, bins: 2 },
    });
    const id = created.body.id as string;
    const live = await fixture.client();
    await live.subscribe({ id });
    const events = await live.finished(id);
    const result = events[events.length - 1].data as { columns: Record<string, object> };
    const pipelines = (await request(fixture.service.url, 'GET', '/pipelines')).body;

    const cases: [string, Record<string, unknown>][] = [
      ['AnalysisSnapshot', created.body],
      ['AnalysisEvent', events[0]],
      ['AnalysisEvent', events[events.length - 1]],
      ['StatsResult', result],
      ['ColumnStats', result.columns.a],
      ['PipelineDescription', pipelines[0]],
      ['ErrorResponse', (await request(fixture.service.url, 'GET', '/analyses/nope')).body],
    ];
    for (const [name, sample] of cases) {
      const schema = schemas[name];
      const properties = Object.keys(schema.properties ?? {});
      expect({ name, keys: Object.keys(sample).sort() }).toEqual({
        name,
        keys: expect.arrayContaining(schema.required ?? []),
      });
      expect({
        name,
        unknown: Object.keys(sample).filter((key) => !properties.includes(key)),
      }).toEqual({
        name,
        unknown: [],
      });
      for (const [property, described] of Object.entries(schema.properties ?? {})) {
        if (described.$ref || described.allOf) continue; // the referenced schema has examples
        expect({ name, property, example: 'example' in described }).toEqual({
          name,
          property,
          example: true,
        });
      }
    }
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'StatsResult',
        'ColumnStats',
        'Histogram',
        'Correlation',
        'DemoResult',
      ]),
    );
  });
});
