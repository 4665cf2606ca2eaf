import type { z } from 'zod';
import type { Access } from '../permissions.js';

/** One operation of the contract: what it is called, what it takes and gives, who may call it. */
export interface OperationDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
  access: Access;
}

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(def: OperationDef<I, O>): OperationDef<I, O> {
  return def;
}
