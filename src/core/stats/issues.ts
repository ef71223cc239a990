import { InputError } from '../input-error';

/** Beyond this many, issues are counted rather than listed: a million bad cells need a few examples. */
const MAX_LISTED = 20;

/** Collects every issue an input has, so that one `400` names them all. */
export class Issues {
  private readonly listed: string[] = [];
  private unlisted = 0;

  add(issue: string): void {
    if (this.listed.length < MAX_LISTED) this.listed.push(issue);
    else this.unlisted++;
  }

  get any(): boolean {
    return this.listed.length > 0;
  }

  error(): InputError {
    const more = this.unlisted === 1 ? '1 more issue' : `${this.unlisted} more issues`;
    return new InputError(this.unlisted > 0 ? [...this.listed, `…and ${more}`] : this.listed);
  }
}
