import { BadRequestException } from '@nestjs/common';
import {
  parseCancelRequest,
  parseStartRequest,
  PlainJsonDeserializer,
  PlainJsonSerializer,
} from './nats-requests';

const issuesOf = (attempt: () => unknown): unknown => {
  try {
    attempt();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    return ((error as BadRequestException).getResponse() as { message: unknown }).message;
  }
  throw new Error('accepted');
};

describe('NATS requests', () => {
  it('reads plain JSON with the subject as pattern, and marks what is not JSON', () => {
    const deserializer = new PlainJsonDeserializer();
    const request = deserializer.deserialize(Buffer.from('{"id":"a"}'), {
      channel: 'analyses.cancel',
      replyTo: '_INBOX.1',
    });
    expect(request).toEqual({
      pattern: 'analyses.cancel',
      id: '_INBOX.1',
      data: { bytes: 10, body: { id: 'a' } },
    });
    const broken = deserializer.deserialize(Buffer.from('{no'), { channel: 'analyses.start' });
    expect(issuesOf(() => parseStartRequest((broken.data as { body: unknown }).body))).toBe(
      'The payload is not valid JSON',
    );
  });

  it('replies with the plain value, no envelope', () => {
    const reply = new PlainJsonSerializer().serialize({ response: { id: 'a' } });
    expect(JSON.parse(Buffer.from(reply.data).toString())).toEqual({ id: 'a' });
  });

  it('checks start like POST and PUT: pipeline, input object, a valid id, no other field', () => {
    expect(parseStartRequest({ pipeline: 'demo', input: {}, id: 'x-1', key: 'k' })).toEqual({
      pipeline: 'demo',
      input: {},
      id: 'x-1',
      key: 'k',
    });
    expect(issuesOf(() => parseStartRequest({ input: [] }))).toEqual([
      'pipeline must be a non-empty string',
      'input must be an object',
    ]);
    expect(issuesOf(() => parseStartRequest({ pipeline: 'demo', input: {}, id: 'a b' }))).toEqual([
      'an id is 1 to 128 characters of letters, digits, _ and -',
    ]);
    expect(issuesOf(() => parseStartRequest({ pipeline: 'demo', input: {}, more: 1 }))).toEqual([
      'property more should not exist',
    ]);
    expect(issuesOf(() => parseStartRequest([1]))).toBe('The payload must be a JSON object');
  });

  it('checks cancel: a valid id, a string key', () => {
    expect(parseCancelRequest({ id: 'x' })).toEqual({ id: 'x' });
    expect(issuesOf(() => parseCancelRequest({ id: 'x', key: 5 }))).toEqual([
      'key must be a string',
    ]);
  });
});
