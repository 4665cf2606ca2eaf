import { z } from 'zod';
import { defineOperation } from './define.js';

export const LinkState = z.enum(['stopped', 'starting', 'qr', 'authenticated', 'ready', 'reconnecting', 'logged_out', 'failed']);
export type LinkState = z.infer<typeof LinkState>;

const isoTime = z.string();

export const WhatsAppStatus = z.object({
  transport: z.enum(['whatsapp-web', 'simulator']),
  state: LinkState,
  /** when the link entered `state` */
  since: isoTime,
  /** the linked office number (international digits) once ready */
  number: z.string().nullable(),
  /** why the link is down, for people */
  reason: z.string().nullable(),
  reconnects: z.number().int(),
  /** the next reconnection attempt, while reconnecting */
  retryAt: isoTime.nullable(),
  /** the QR payload while one waits to be scanned; only for those who may link the number */
  qr: z.string().nullable(),
  lastInboundAt: isoTime.nullable(),
  lastOutboundAt: isoTime.nullable(),
  /** outgoing messages waiting or in flight */
  queueDepth: z.number().int(),
  /** outgoing messages that gave up and wait for a person */
  failedCount: z.number().int(),
  counters: z.object({
    inboundStored: z.number().int(),
    inboundDuplicates: z.number().int(),
    outboundSent: z.number().int(),
    outboundFailed: z.number().int(),
    sendErrors: z.number().int(),
  }),
});
export type WhatsAppStatus = z.infer<typeof WhatsAppStatus>;

export const OutboxStatus = z.enum(['pending', 'sending', 'sent', 'failed']);
export type OutboxStatus = z.infer<typeof OutboxStatus>;

export const OutboxEntry = z.object({
  id: z.number().int(),
  /** the client's number (international digits) */
  number: z.string(),
  kind: z.enum(['text', 'document']),
  /** the start of the text, or the caption */
  preview: z.string().nullable(),
  fileName: z.string().nullable(),
  status: OutboxStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: isoTime,
  nextAttemptAt: isoTime,
  sentAt: isoTime.nullable(),
  failedAt: isoTime.nullable(),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

/** A client's phone number in international digits, without + or spaces, e.g. 5511987654321. */
export const PhoneNumber = z
  .string()
  .trim()
  .regex(/^[1-9]\d{7,14}$/, 'must be a phone number in international digits, e.g. 5511987654321');

export const SimulatedMessage = z.object({
  id: z.string(),
  direction: z.enum(['in', 'out']),
  text: z.string().nullable(),
  fileName: z.string().nullable(),
  mimetype: z.string().nullable().optional(),
  at: isoTime,
});

/** The simulator's file limit: a simulated client sends at most 16 MB (as base64 in the call). */
export const SIMULATOR_MEDIA_BYTES = 16 * 1024 * 1024;

const empty = z.object({}).strict();

export const whatsappOperations = {
  'whatsapp.status': defineOperation({
    summary: 'The WhatsApp link: state and since when, linked number, reconnects, last messages, queue depth; the QR for admins.',
    input: empty,
    output: WhatsAppStatus,
    access: 'whatsapp.read',
    // the session screen polls it; it shows the link, not office data
    audit: 'failures',
  }),
  'whatsapp.logout': defineOperation({
    summary: 'Unlinks the office number from LexDesk (a new QR is needed to link again).',
    input: empty,
    output: WhatsAppStatus,
    access: 'whatsapp.manage',
  }),
  'whatsapp.restart': defineOperation({
    summary: 'Stops and starts the WhatsApp link now (also links again after a logout).',
    input: empty,
    output: WhatsAppStatus,
    access: 'whatsapp.manage',
  }),
  'whatsapp.outbox.list': defineOperation({
    summary: 'Outgoing WhatsApp messages: failed ones, those still waiting, or the latest of all, newest first.',
    input: z
      .object({
        status: z.enum(['failed', 'open', 'sent', 'all']).default('failed'),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ rows: z.array(OutboxEntry) }),
    access: 'whatsapp.manage',
  }),
  'whatsapp.outbox.retry': defineOperation({
    summary: 'Puts a failed outgoing message back in the queue.',
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: OutboxEntry,
    access: 'whatsapp.manage',
  }),
  'simulator.pair': defineOperation({
    summary: 'Simulator only: "scan" the QR code, as the office phone would.',
    input: empty,
    output: z.object({ state: LinkState }),
    access: 'simulator',
  }),
  'simulator.drop': defineOperation({
    summary: 'Simulator only: drop the connection, as a network failure would.',
    input: empty,
    output: z.object({ state: LinkState }),
    access: 'simulator',
  }),
  'simulator.clientSend': defineOperation({
    summary: 'Simulator only: a client sends the office a WhatsApp text, or a file (photo, PDF, voice note…) with an optional caption.',
    input: z
      .object({
        from: PhoneNumber,
        name: z.string().trim().min(1).max(100).optional(),
        text: z.string().max(4096).default(''),
        media: z
          .object({
            fileName: z.string().min(1).max(1000),
            mimetype: z.string().min(1).max(200),
            base64: z
              .string()
              .max(Math.ceil(SIMULATOR_MEDIA_BYTES / 3) * 4, 'the simulator takes files up to 16 MB')
              .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64 data'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .refine((v) => v.text.length > 0 || v.media !== undefined, { message: 'must not be empty', path: ['text'] }),
    output: z.object({ id: z.string(), delivered: z.boolean() }),
    access: 'simulator',
  }),
  'simulator.clientInbox': defineOperation({
    summary: 'Simulator only: what a client has received from the office (texts and documents), in order.',
    input: z.object({ from: PhoneNumber }).strict(),
    output: z.object({
      messages: z.array(
        z.object({ id: z.string(), text: z.string().nullable(), fileName: z.string().nullable(), mimetype: z.string().nullable().optional(), at: isoTime }),
      ),
    }),
    access: 'simulator',
    // the chat panel refreshes it; simulated clients only
    audit: 'failures',
  }),
  'simulator.clientFile': defineOperation({
    summary: 'Simulator only: a file in a simulated client\'s chat (one it received or sent), so the client can open it.',
    input: z.object({ from: PhoneNumber, messageId: z.string().min(1).max(200) }).strict(),
    output: z.object({ fileName: z.string(), mimetype: z.string(), base64: z.string() }),
    access: 'simulator',
    audit: 'failures',
  }),
  'simulator.clients': defineOperation({
    summary: 'Simulator only: the simulated clients who have a conversation with the office.',
    input: empty,
    output: z.object({
      clients: z.array(
        z.object({ number: z.string(), name: z.string().nullable(), lastAt: isoTime, received: z.number().int(), sent: z.number().int() }),
      ),
    }),
    access: 'simulator',
    // the chat panel refreshes it; simulated clients only
    audit: 'failures',
  }),
  'simulator.chat': defineOperation({
    summary: 'Simulator only: one client\'s whole conversation with the office, in order.',
    input: z.object({ from: PhoneNumber }).strict(),
    output: z.object({ messages: z.array(SimulatedMessage) }),
    access: 'simulator',
    // the chat panel refreshes it; simulated clients only
    audit: 'failures',
  }),
};
