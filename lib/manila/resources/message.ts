import { z } from 'zod';

/** Manila's user messages (`GET /messages`, microversion 2.37+): what Manila told the tenant about a resource. */

/** A user message. */
export interface UserMessage {
  readonly id: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly userMessage: string;
  readonly detailId?: string;
  readonly actionId?: string;
  readonly messageLevel?: string;
  readonly createdAt?: string;
  readonly requestId?: string;
}

const messageView = z
  .object({
    id: z.string(),
    resource_type: z.string(),
    resource_id: z.string(),
    user_message: z.string(),
    detail_id: z.string().nullish(),
    action_id: z.string().nullish(),
    message_level: z.string().nullish(),
    created_at: z.string().nullish(),
    request_id: z.string().nullish(),
  })
  .loose()
  .transform(
    (m): UserMessage => ({
      id: m.id,
      resourceType: m.resource_type,
      resourceId: m.resource_id,
      userMessage: m.user_message,
      detailId: m.detail_id ?? undefined,
      actionId: m.action_id ?? undefined,
      messageLevel: m.message_level ?? undefined,
      createdAt: m.created_at ?? undefined,
      requestId: m.request_id ?? undefined,
    }),
  );

/** Parses one user message. */
export function parseMessage(raw: unknown): UserMessage {
  return messageView.parse(raw);
}
