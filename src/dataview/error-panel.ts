import { ApiError } from '../client/analysis-client';
import { h } from './dom';

/** An error as the API gave it: status, name and every message; anything else by its message. */
export function errorPanel(error: unknown): HTMLElement {
  if (error instanceof ApiError) {
    const messages = [error.body.message].flat();
    return h(
      'div',
      { class: 'notice error api-error', role: 'alert', 'data-status': error.status },
      h('strong', {}, `${error.status} ${error.body.error}`),
      messages.length === 1
        ? h('p', { class: 'message' }, messages[0])
        : h(
            'ul',
            {},
            messages.map((message) => h('li', { class: 'message' }, message)),
          ),
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return h('div', { class: 'notice error', role: 'alert' }, h('p', { class: 'message' }, message));
}
