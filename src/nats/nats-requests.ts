import { BadRequestException } from '@nestjs/common';
import type {
  ConsumerDeserializer,
  ConsumerSerializer,
  IncomingRequest,
} from '@nestjs/microservices';
import { INVALID_ID_MESSAGE, isValidId } from '../analysis/analysis-job';

/** A request as the deserializer hands it on: its size, and its JSON (or why it has none). */
export interface NatsRequest {
  bytes: number;
  body: unknown;
}

const NOT_JSON = Symbol('NOT_JSON');

/**
 * Requests are plain JSON, no framework envelope: the subject is the
 * pattern, and every message is a request (one without a reply subject is
 * handled and its answer dropped).
 */
export class PlainJsonDeserializer implements ConsumerDeserializer {
  deserialize(
    value: Uint8Array,
    options?: { channel?: string; replyTo?: string },
  ): IncomingRequest {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      body = NOT_JSON;
    }
    const data: NatsRequest = { bytes: value.byteLength, body };
    return { pattern: options?.channel ?? '', data, id: options?.replyTo ?? 'no-reply' };
  }
}

/** Replies are the handler's value as plain JSON. */
export class PlainJsonSerializer implements ConsumerSerializer {
  serialize(packet: { response?: unknown; err?: unknown }): { data: Uint8Array } {
    const reply = packet.response ?? {
      error: { statusCode: 500, message: 'Internal server error' },
    };
    return { data: Buffer.from(JSON.stringify(reply)) };
  }
}

export interface StartRequest {
  pipeline: string;
  input: Record<string, unknown>;
  id?: string;
  key?: string;
}

export interface CancelRequest {
  id: string;
  key?: string;
}

/** `{ pipeline, input, id?, key? }`, checked like `POST /analyses`' body and `PUT`'s id. */
export function parseStartRequest(body: unknown): StartRequest {
  const fields = objectOf(body, ['pipeline', 'input', 'id', 'key']);
  const issues: string[] = [];
  if (typeof fields.pipeline !== 'string' || fields.pipeline === '') {
    issues.push('pipeline must be a non-empty string');
  }
  if (typeof fields.input !== 'object' || fields.input === null || Array.isArray(fields.input)) {
    issues.push('input must be an object');
  }
  if (fields.id !== undefined && !isValidId(fields.id)) issues.push(INVALID_ID_MESSAGE);
  if (fields.key !== undefined && typeof fields.key !== 'string')
    issues.push('key must be a string');
  if (issues.length > 0) throw new BadRequestException(issues);
  return fields as unknown as StartRequest;
}

/** `{ id, key? }`. */
export function parseCancelRequest(body: unknown): CancelRequest {
  const fields = objectOf(body, ['id', 'key']);
  const issues: string[] = [];
  if (!isValidId(fields.id)) issues.push(INVALID_ID_MESSAGE);
  if (fields.key !== undefined && typeof fields.key !== 'string')
    issues.push('key must be a string');
  if (issues.length > 0) throw new BadRequestException(issues);
  return fields as unknown as CancelRequest;
}

function objectOf(body: unknown, allowed: string[]): Record<string, unknown> {
  if (body === NOT_JSON) throw new BadRequestException('The payload is not valid JSON');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestException('The payload must be a JSON object');
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new BadRequestException(unknown.map((key) => `property ${key} should not exist`));
  }
  return body as Record<string, unknown>;
}
