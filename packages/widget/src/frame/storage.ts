/**
 * Where the widget keeps its session and outbox: the iframe's own localStorage when the browser
 * allows it, else the host page's (through the loader), else memory (forgotten on reload).
 */
export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
  keys(): string[];
  /** Calls back with the key when another tab changed it. */
  onExternalChange(listener: (key: string) => void): void;
}

export function memoryStorage(): KeyValue {
  const map = new Map<string, string>();
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
    keys: () => [...map.keys()],
    onExternalChange: () => undefined,
  };
}

/**
 * The iframe's own localStorage, or null when the browser refuses third-party frames any storage
 * (then the loader keeps it in the page's storage: see bridgedStorage).
 */
export function frameStorage(): KeyValue | null {
  let storage: Storage;
  try {
    storage = window.localStorage;
    const probe = '__parley_probe__';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
  } catch {
    return null;
  }
  return {
    get: (key) => {
      try {
        return storage.getItem(key);
      } catch {
        return null;
      }
    },
    set: (key, value) => {
      try {
        storage.setItem(key, value);
      } catch {
        // Quota exceeded: the value lives only as long as the page.
      }
    },
    remove: (key) => {
      try {
        storage.removeItem(key);
      } catch {
        // ignore
      }
    },
    keys: () => {
      const keys: string[] = [];
      try {
        for (let i = 0; i < storage.length; i += 1) {
          const key = storage.key(i);
          if (key !== null) keys.push(key);
        }
      } catch {
        // ignore
      }
      return keys;
    },
    onExternalChange: (listener) => {
      addEventListener('storage', (event) => {
        if (event.key !== null && event.storageArea === storage) listener(event.key);
      });
    },
  };
}

/**
 * Storage kept by the loader in the host page's localStorage: a copy here, every write posted to the
 * loader, and other tabs' writes arriving through `apply`.
 */
export function bridgedStorage(
  initial: Record<string, string>,
  persist: (key: string, value: string | null) => void,
): KeyValue & { apply(key: string, value: string | null): void } {
  const map = new Map(Object.entries(initial));
  const listeners: Array<(key: string) => void> = [];
  return {
    get: (key) => map.get(key) ?? null,
    set: (key, value) => {
      map.set(key, value);
      persist(key, value);
    },
    remove: (key) => {
      map.delete(key);
      persist(key, null);
    },
    keys: () => [...map.keys()],
    onExternalChange: (listener) => void listeners.push(listener),
    apply: (key, value) => {
      if (value === null) map.delete(key);
      else map.set(key, value);
      for (const listener of listeners) listener(key);
    },
  };
}

/** Reads JSON written by this widget; anything unparsable or of the wrong shape reads as null. */
export function readJson<T>(kv: KeyValue, key: string, check: (value: unknown) => value is T): T | null {
  const raw = kv.get(key);
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    return check(value) ? value : null;
  } catch {
    return null;
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
