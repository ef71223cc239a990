import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/** What a `text/csv` request's query may say besides the CSV itself. */
interface CsvQuery {
  pipeline?: unknown;
  bins?: unknown;
}

// Nest's own exceptions, so HttpErrorFilter answers them in Nest's shape and they are not
// logged as server errors (a plain Error with a statusCode would be, stack and all).
function tooLarge(maxBodyBytes: number): Error {
  return new PayloadTooLargeException(
    `Request body is larger than the limit of ${maxBodyBytes} bytes (MAX_BODY_BYTES)`,
  );
}

function notUtf8(): Error {
  return new BadRequestException('The text/csv body is not valid UTF-8');
}

/**
 * Accepts `text/csv` bodies for `POST /analyses?pipeline=stats&bins=20` (and PUT): the request
 * is then `{ pipeline, input: { csv: <body>, bins } }`, validated like any other. The body is
 * decoded as it streams in, chunk by chunk (invalid UTF-8 is a 400), and refused with 413 once it
 * passes `maxBodyBytes`; the CSV is parsed later, in slices, by the pipeline's validation, rather
 * than in one call here.
 */
export function acceptCsvBodies(fastify: FastifyInstance, maxBodyBytes: number): void {
  fastify.addContentTypeParser('text/csv', (request: FastifyRequest, payload, done) => {
    const declared = Number(request.headers['content-length']);
    if (declared > maxBodyBytes) {
      done(tooLarge(maxBodyBytes), undefined);
      return;
    }
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    const parts: string[] = [];
    let bytes = 0;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      payload.removeAllListeners('data');
      payload.resume();
      done(error, undefined);
    };
    payload.on('data', (chunk: Buffer) => {
      if (failed) return;
      bytes += chunk.length;
      if (bytes > maxBodyBytes) return fail(tooLarge(maxBodyBytes));
      try {
        parts.push(decoder.decode(chunk, { stream: true }));
      } catch {
        fail(notUtf8());
      }
    });
    payload.on('error', (error) => fail(error));
    payload.on('end', () => {
      if (failed) return;
      try {
        parts.push(decoder.decode());
      } catch {
        return fail(notUtf8());
      }
      const body = csvRequest(request.query as CsvQuery, parts.join(''));
      // The handler, and the first slice of parsing the CSV, in a turn of their own: joining a
      // large body has already held the event loop for a few milliseconds.
      setImmediate(() => done(null, body));
    });
  });
}

/** The JSON request a CSV body with this query stands for; the query's faults are left for validation to name. */
function csvRequest(query: CsvQuery, csv: string): { pipeline: unknown; input: object } {
  const bins =
    typeof query.bins === 'string' && /^\d+$/.test(query.bins) ? Number(query.bins) : query.bins;
  return { pipeline: query.pipeline, input: bins === undefined ? { csv } : { csv, bins } };
}
