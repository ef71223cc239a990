/** Asserts that no captured output holds any of the secrets (keys, tokens), naming the first found. */
export function expectNoSecrets(outputs: readonly string[], secrets: readonly string[]): void {
  const leaks = secrets.flatMap((secret) =>
    outputs
      .map((output, index) => ({ index, at: output.indexOf(secret) }))
      .filter(({ at }) => at !== -1)
      .map(({ index }) => `secret ${secrets.indexOf(secret)} in output ${index}`),
  );
  expect(leaks).toEqual([]);
}
