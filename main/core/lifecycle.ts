/** A part of the core with a life of its own (scheduler, bot, collector…), started and stopped in order by `createCore`. */
export interface Lifecycle {
  name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}
