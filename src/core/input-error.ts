/** Input a pipeline cannot run on. Never worth retrying: the same input fails the same way. */
export class InputError extends Error {
  readonly issues: string[];

  constructor(issues: string | string[]) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.join('; '));
    this.name = 'InputError';
    this.issues = list;
  }
}
