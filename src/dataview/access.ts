import { type AnalysisClient, ApiError } from '../client/analysis-client';
import { h, replace } from './dom';
import { errorPanel } from './error-panel';

/** The key lives for this tab's session only, never in the URL or in localStorage. */
const KEY_STORAGE = 'ras.apiKey';

export function storedKey(): string | undefined {
  return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

/** What the address asks for: an analysis, and a token when it is a shared read-only link. */
export interface Route {
  id?: string;
  token?: string;
}

/** `#/analyses/<id>`, or `#/analyses/<id>?token=<token>` for a shared read-only view. */
export function parseRoute(hash: string): Route {
  const match = /^#\/analyses\/([A-Za-z0-9_-]{1,128})(?:\?token=([A-Za-z0-9_-]{1,256}))?$/.exec(
    hash,
  );
  if (!match) return {};
  return match[2] ? { id: match[1], token: match[2] } : { id: match[1] };
}

/** The link that opens the analysis read-only for someone without a key. */
export function shareLink(id: string, token: string): string {
  return `${location.origin}${location.pathname}#/analyses/${id}?token=${token}`;
}

/**
 * When the service answers 401, asks for a key in `root` (once per session:
 * it is kept in sessionStorage) and resolves once the service accepts one.
 */
export async function ensureKey(client: AnalysisClient, root: HTMLElement): Promise<void> {
  // A refused key is worth saying so; a first visit just gets the question.
  let triedKey = storedKey() !== undefined;
  let asked = false;
  for (;;) {
    try {
      await client.list({ limit: 1 });
      if (asked) replace(root);
      return;
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) return;
      sessionStorage.removeItem(KEY_STORAGE);
      asked = true;
      const key = await askForKey(root, triedKey ? error : undefined);
      triedKey = true;
      sessionStorage.setItem(KEY_STORAGE, key);
      client.setCredentials({ key });
    }
  }
}

function askForKey(root: HTMLElement, problem: unknown): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', {
      type: 'password',
      name: 'api-key',
      autocomplete: 'off',
      required: true,
      placeholder: 'API key',
      'aria-label': 'API key',
    });
    const form = h(
      'form',
      {
        class: 'card key-form',
        onsubmit: (event: Event) => {
          event.preventDefault();
          if (input.value.trim()) resolve(input.value.trim());
        },
      },
      h('h2', {}, 'This service needs an API key'),
      h('p', {}, 'It is kept in this tab only, until you close it.'),
      problem !== undefined && errorPanel(problem),
      input,
      h('button', { class: 'button primary', type: 'submit' }, 'Use this key'),
    );
    replace(root, form);
    input.focus();
  });
}
