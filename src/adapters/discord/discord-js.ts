/**
 * Loads discord.js safely next to vega-lite.
 *
 * vega-lite (charts) adds `Set.prototype.toJSON`, returning a string. discord.js's event emitter bundles
 * Node's `primordials`, which at load call every zero-argument method of `Set.prototype` on an empty set and
 * test the result with `in`: on that string it throws (`string "Set()" is not iterable`), so discord.js cannot
 * even be imported once charts are loaded, in tests and in `npm start` alike. The patch is hidden for the
 * duration of the import and put back afterwards.
 */
export type DiscordJs = typeof import('discord.js');

let loading: Promise<DiscordJs> | undefined;

/**
 * discord.js, imported once per process.
 *
 * @example
 * const { Client, GatewayIntentBits } = await loadDiscordJs();
 */
export function loadDiscordJs(): Promise<DiscordJs> {
  loading ??= (async () => {
    const patched = Object.getOwnPropertyDescriptor(Set.prototype, 'toJSON');
    if (patched) delete (Set.prototype as { toJSON?: unknown }).toJSON;
    try {
      return await import('discord.js');
    } finally {
      if (patched) Object.defineProperty(Set.prototype, 'toJSON', patched);
    }
  })();
  return loading;
}
