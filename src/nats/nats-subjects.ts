import type { NatsConfig } from '../config/app-config';

/** The subjects of NATS_SUBJECT, in one place. */
export const natsSubjects = ({ subject }: Pick<NatsConfig, 'subject'>) => ({
  start: `${subject}.start`,
  cancel: `${subject}.cancel`,
  events: (id: string) => `${subject}.events.${id}`,
  allEvents: `${subject}.events.>`,
});

/** The id of a job's event in JetStream: a republished event is dropped as a duplicate. */
export const natsMessageId = (id: string, seq: number): string => `${id}:${seq}`;
