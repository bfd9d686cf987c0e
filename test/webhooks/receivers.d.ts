// The ports of the real receivers test/webhooks/receivers.global.mjs starts, as the tests `inject` them.
declare module "vitest" {
  interface ProvidedContext {
    webhookReceivers: { answering: number; stalling: number; closed: number };
  }
}

export {};
