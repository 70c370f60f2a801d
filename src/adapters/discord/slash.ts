/**
 * Slash commands generated from the command registry and each command's zod arguments: Discord names
 * (lowercase, 1-32 of letters, digits, - and _), descriptions of at most 100 characters, typed options with
 * choices and bounds, and autocomplete on arguments that name a saved segment.
 */
import {
  ApplicationCommandOptionType,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { AnyCommand } from '../../core/command.ts';

/** The general command: anything typed after it goes through the router exactly like a message. */
export const GENERAL_COMMAND = 'megaphone';
export const GENERAL_OPTION = 'request';

type CommandJson = RESTPostAPIChatInputApplicationCommandsJSONBody;
type OptionJson = NonNullable<CommandJson['options']>[number];

/** How a Discord slash command maps back to a Megaphone command and its argument keys. */
export interface SlashBinding {
  command: AnyCommand;
  /** Discord option name → zod argument key. */
  keys: Map<string, string>;
  /** Discord option names that autocomplete saved segment names. */
  segmentOptions: Set<string>;
}

export interface SlashCommands {
  json: CommandJson[];
  /** Discord command name → binding; the general command is not in here. */
  bindings: Map<string, SlashBinding>;
}

// biome-ignore lint/suspicious/noExplicitAny: zod internals are walked generically.
type ZodAny = any;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** `show segment` → `show-segment`; `saveAs` → `save-as`. */
export function discordName(raw: string): string {
  const name = raw
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\p{Ll}\p{Lo}\p{N}_-]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return name || 'command';
}

function unwrap(schema: ZodAny): { inner: ZodAny; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (;;) {
    const type = inner?._zod?.def?.type;
    if (type === 'optional' || type === 'default' || type === 'nullable' || type === 'prefault') {
      optional = true;
      inner = inner._zod.def.innerType;
    } else if (type === 'pipe') {
      const input = inner._zod.def.in;
      // z.preprocess(fn, schema) is a pipe out of a transform: the schema after it says what is typed.
      inner = input?._zod?.def?.type === 'transform' ? inner._zod.def.out : input;
    } else {
      return { inner, optional };
    }
  }
}

/**
 * Does this argument name a saved segment? Declared with `.meta({ names: 'segment' })`; otherwise a `name`,
 * `a` or `b` argument of a command that works on saved segments ("Show a saved segment", "Compare two saved
 * segments", "Export ... or a saved one"). Commands that create a name (save as) say "Save", not "saved".
 */
export function namesSavedSegment(command: AnyCommand, key: string, schema: ZodAny): boolean {
  const meta = typeof schema?.meta === 'function' ? schema.meta() : undefined;
  if (meta && typeof meta === 'object' && 'names' in meta) return meta.names === 'segment';
  return ['name', 'a', 'b'].includes(key) && /\bsaved\b/i.test(command.description);
}

function describeOption(command: AnyCommand, key: string, schema: ZodAny, segment: boolean): string {
  const own = schema?.description ?? unwrap(schema).inner?.description;
  if (own) return truncate(own, 100);
  if (segment) return key === 'b' ? 'The other saved segment' : 'A saved segment';
  if (key === 'request') return truncate(`What to ${command.name}, in plain words`, 100);
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  const { inner } = unwrap(schema);
  const min = Number.isFinite(inner?.minValue) ? inner.minValue : undefined;
  const max = Number.isFinite(inner?.maxValue) && inner.maxValue < 2 ** 31 ? inner.maxValue : undefined;
  const range =
    min !== undefined && max !== undefined
      ? ` (${min} to ${max})`
      : min !== undefined
        ? ` (${min} or more)`
        : '';
  return truncate(`${words.charAt(0).toUpperCase()}${words.slice(1)}${range}`, 100);
}

function optionFor(command: AnyCommand, key: string, schema: ZodAny): OptionJson | null {
  const { inner, optional } = unwrap(schema);
  const type: string | undefined = inner?._zod?.def?.type;
  const segment = type === 'string' && namesSavedSegment(command, key, inner);
  const base = {
    name: discordName(key),
    description: describeOption(command, key, schema, segment),
    required: !optional,
  };
  switch (type) {
    case 'string': {
      const option: OptionJson = { ...base, type: ApplicationCommandOptionType.String };
      if (segment) Object.assign(option, { autocomplete: true });
      if (Number.isFinite(inner.minLength) && inner.minLength > 0)
        Object.assign(option, { min_length: Math.min(6000, inner.minLength) });
      if (Number.isFinite(inner.maxLength))
        Object.assign(option, { max_length: Math.min(6000, inner.maxLength) });
      return option;
    }
    case 'number': {
      const integer = Boolean(inner.isInt);
      const option = {
        ...base,
        type: integer ? ApplicationCommandOptionType.Integer : ApplicationCommandOptionType.Number,
      } as OptionJson;
      // Discord accepts bounds within ±2^53.
      const limit = 2 ** 53;
      if (Number.isFinite(inner.minValue) && Math.abs(inner.minValue) < limit)
        Object.assign(option, { min_value: inner.minValue });
      if (Number.isFinite(inner.maxValue) && Math.abs(inner.maxValue) < limit)
        Object.assign(option, { max_value: inner.maxValue });
      return option;
    }
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case 'enum': {
      const values = (inner.options as (string | number)[]).slice(0, 25);
      const numeric = values.every((v) => typeof v === 'number');
      return {
        ...base,
        type: numeric ? ApplicationCommandOptionType.Number : ApplicationCommandOptionType.String,
        choices: values.map((v) => ({ name: truncate(String(v), 100), value: v })),
      } as OptionJson;
    }
    default:
      return null;
  }
}

/**
 * Builds the slash commands for a command registry, plus the general `/megaphone request:<text>`.
 *
 * @example
 * const { json } = buildSlashCommands(commands);
 * await rest.put(Routes.applicationCommands(appId), { body: json });
 */
export function buildSlashCommands(commands: readonly AnyCommand[]): SlashCommands {
  const json: CommandJson[] = [
    {
      name: GENERAL_COMMAND,
      description: 'Ask Megaphone anything, in plain words (e.g. customers in Germany who spent over £1000)',
      options: [
        {
          type: ApplicationCommandOptionType.String,
          name: GENERAL_OPTION,
          description: 'Your request, e.g. "top 50 customers by spend" or "chart revenue by month"',
          required: true,
          max_length: 2000,
        },
      ],
    },
  ];
  const bindings = new Map<string, SlashBinding>();
  const taken = new Set([GENERAL_COMMAND]);
  for (const command of commands) {
    const name = discordName(command.name);
    if (taken.has(name)) continue;
    const shape: Record<string, ZodAny> = (command.args as ZodAny)?._zod?.def?.shape ?? {};
    const options: OptionJson[] = [];
    const keys = new Map<string, string>();
    const segmentOptions = new Set<string>();
    let supported = true;
    for (const [key, schema] of Object.entries(shape)) {
      const option = optionFor(command, key, schema);
      if (!option) {
        supported = false;
        break;
      }
      keys.set(option.name, key);
      if ('autocomplete' in option && option.autocomplete) segmentOptions.add(option.name);
      options.push(option);
    }
    // A command whose arguments Discord cannot type is still reachable through /megaphone.
    if (!supported || options.length > 25) continue;
    // Discord wants required options first.
    options.sort((x, y) => Number(Boolean(y.required)) - Number(Boolean(x.required)));
    taken.add(name);
    json.push({ name, description: truncate(command.description, 100), options });
    bindings.set(name, { command, keys, segmentOptions });
  }
  return { json: json.slice(0, 100), bindings };
}
