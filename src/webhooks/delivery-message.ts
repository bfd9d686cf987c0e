/** What a delivery message carries: the event's id; everything else is read when it is delivered. */
export type DeliveryMessage = { eventId: string };

/** An event the outbox holds, as a request that wrote it knows it (its insert's `returning`). */
export type PendingEvent = { seq: number; id: string; hooked?: number };
