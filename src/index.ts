import { createApp } from "./app";
import { runEnforcement } from "./jobs/enforcement";
import type { Env } from "./types";
import { handleDeliveryBatch } from "./webhooks/delivery";
import type { DeliveryMessage } from "./webhooks/delivery-message";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled(controller, env, ctx) {
    ctx.waitUntil(runEnforcement(env, new Date(controller.scheduledTime)));
  },
  queue(batch, env) {
    return handleDeliveryBatch(batch as MessageBatch<DeliveryMessage>, env);
  },
} satisfies ExportedHandler<Env, DeliveryMessage>;
