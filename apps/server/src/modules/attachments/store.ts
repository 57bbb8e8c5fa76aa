import type { AppContext } from '../../context.ts';
import { createStorage } from '../../storage/create.ts';
import type { FileStorage } from '../../storage/storage.ts';

const stores = new WeakMap<AppContext['env'], FileStorage>();

/** The node's file storage, made from its configuration on first use. */
export function storageOf(ctx: Pick<AppContext, 'env'>): FileStorage {
  let storage = stores.get(ctx.env);
  if (!storage) {
    storage = createStorage(ctx.env);
    stores.set(ctx.env, storage);
  }
  return storage;
}
