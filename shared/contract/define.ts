import type { z } from 'zod';
import type { Access } from '../permissions.js';

/** One operation of the contract: what it is called, what it takes and gives, who may call it. */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
  access: Access;
  /**
   * Which calls the audit trail records: `all` (the default), or only refused and
   * failed ones (`failures`) for reads that show no office data, such as the
   * health a load balancer polls every few seconds.
   */
  audit?: 'all' | 'failures';
}

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> {
  return def;
}
