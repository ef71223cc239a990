import 'reflect-metadata';
import { validate } from 'class-validator';
import { CreateAnalysisDto } from './create-analysis.dto';

/** What class-validator, under the API's options, says of a body. */
async function classValidatorAccepts(body: Record<string, unknown>): Promise<boolean> {
  const instance = Object.assign(new CreateAnalysisDto(), body);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
  return errors.length === 0;
}

describe('CreateAnalysisDto.isPlainlyValid', () => {
  const bodies: Record<string, unknown>[] = [
    { pipeline: 'demo', input: {} },
    { pipeline: 'stats', input: { columns: { a: [1, 2] } } },
    { pipeline: '', input: {} },
    { pipeline: 7, input: {} },
    { pipeline: 'demo' },
    { input: {} },
    { pipeline: 'demo', input: null },
    { pipeline: 'demo', input: [] },
    { pipeline: 'demo', input: 'text' },
    { pipeline: 'demo', input: {}, extra: 1 },
    {},
  ];

  it.each(bodies)('agrees with class-validator on %j', async (body) => {
    expect(CreateAnalysisDto.isPlainlyValid(body)).toBe(await classValidatorAccepts(body));
  });
});
