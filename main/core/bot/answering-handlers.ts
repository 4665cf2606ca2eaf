import type { answeringOperations } from '../../../shared/contract/answering.js';
import type { Handler, HandlerContext } from '../dispatch.js';
import type { CoreServices } from '../services.js';

type Ctx = HandlerContext<CoreServices>;

function setPaused(ctx: Ctx, paused: boolean) {
  const principal = ctx.requirePrincipal();
  ctx.audit.target = { type: 'bot', id: 'answering' };
  const bot = ctx.services.bot;
  const wasPaused = bot.answering.paused;
  ctx.audit.details = { wasPaused };
  // the state and the audit record land together; the consumer follows once committed
  const next = ctx.write(() => bot.setPaused(paused, principal.displayName || principal.username));
  bot.applyAnswering(next);
  return next;
}

export const answeringHandlers: { [N in keyof typeof answeringOperations]: Handler<N, CoreServices> } = {
  'bot.answering': (_input, ctx) => ctx.services.bot.answering,
  'bot.pause': (_input, ctx) => setPaused(ctx, true),
  'bot.resume': (_input, ctx) => setPaused(ctx, false),
};
