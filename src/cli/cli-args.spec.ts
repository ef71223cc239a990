import { DEFAULT_URL, parseCommand, UsageError } from './cli-args';

describe('parseCommand', () => {
  it('reads run with its options', () => {
    expect(
      parseCommand(['run', 'stats', '--csv', 'data.csv', '--bins', '12', '--input', '{"x":1}']),
    ).toEqual({ name: 'run', pipeline: 'stats', csv: 'data.csv', bins: 12, input: { x: 1 } });
    expect(parseCommand(['run', 'demo', '--step-ms', '0'])).toEqual({
      name: 'run',
      pipeline: 'demo',
      stepMs: 0,
      input: {},
    });
  });

  it('reads watch, with the default url and after', () => {
    expect(parseCommand(['watch', 'job-1'], {})).toEqual({
      name: 'watch',
      id: 'job-1',
      url: DEFAULT_URL,
      after: 0,
    });
    expect(parseCommand(['watch', 'job-1', '--url', 'http://host:8080/', '--after', '3'])).toEqual({
      name: 'watch',
      id: 'job-1',
      url: 'http://host:8080',
      after: 3,
    });
  });

  it('takes the key from --key, else from RAS_API_KEY, and a token from --token', () => {
    const env = { RAS_API_KEY: 'key_from_the_environment' };
    expect(parseCommand(['watch', 'job-1'], env)).toMatchObject({
      key: 'key_from_the_environment',
    });
    expect(parseCommand(['watch', 'job-1', '--key', 'key_from_argv_0001'], env)).toMatchObject({
      key: 'key_from_argv_0001',
    });
    expect(parseCommand(['watch', 'job-1', '--token', 'tok'], {})).toEqual({
      name: 'watch',
      id: 'job-1',
      url: DEFAULT_URL,
      after: 0,
      token: 'tok',
    });
  });

  it('takes a token that starts with a dash (one base64url token in 64 does)', () => {
    expect(parseCommand(['watch', 'job-1', '--token', '-Zk3'], {})).toMatchObject({
      token: '-Zk3',
    });
    expect(parseCommand(['watch', 'job-1', '--token=-Zk3'], {})).toMatchObject({ token: '-Zk3' });
  });

  it('reads help', () => {
    expect(parseCommand(['--help'])).toEqual({ name: 'help' });
  });

  it.each([
    [[], /Name a command: run or watch/],
    [['frobnicate'], /Unknown command "frobnicate"/],
    [['run'], /run needs a pipeline name/],
    [['run', 'stats', 'extra'], /Unexpected argument "extra"/],
    [['run', 'stats', '--bins', 'many'], /--bins must be an integer \(got "many"\)/],
    [['run', 'stats', '--step-ms', '1.5'], /--step-ms must be an integer/],
    [['run', 'stats', '--colour'], /Unknown option '--colour'/],
    [['run', 'stats', '--input', '{oops'], /--input is not JSON/],
    [['run', 'stats', '--input', '[1]'], /--input must be a JSON object/],
    [['watch'], /watch needs one analysis id/],
    [['watch', 'x', '--url', 'not a url'], /--url must be a URL/],
    [['watch', 'x', '--url', 'ftp://host'], /--url must start with http/],
    [['watch', 'x', '--after=-1'], /--after must be an integer ≥ 0/],
  ])('refuses %j with a message naming the problem', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
