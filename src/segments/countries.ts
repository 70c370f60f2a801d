/**
 * Country names, aliases and demonyms, so a marketer can say "Irish", "Holland" or "outside the UK" and the
 * parser resolves it to the spelling the data uses ("EIRE", "Netherlands", "United Kingdom"). Countries that
 * are real but absent from the data are listed too: "Brazilian customers" is then answered with "no customers
 * in Brazil" rather than "I don't know Brazil".
 */
import { distance } from 'fastest-levenshtein';
import type { Vocabulary } from './vocabulary.ts';

export type Region = 'europe' | 'americas' | 'asia' | 'middle-east' | 'africa' | 'oceania' | 'other';

export interface CountryEntry {
  /** The spelling used by the Online Retail data. */
  name: string;
  /** Other spellings another data set may use for the same country. */
  spellings: string[];
  /** Lower-case names, aliases and demonyms. */
  aliases: string[];
  region: Region;
  eu: boolean;
  /** Said of aliases that are a part of the country in the data, e.g. "England" for the United Kingdom. */
  partOf?: string[];
}

function entry(
  name: string,
  region: Region,
  aliases: string[],
  options: { spellings?: string[]; eu?: boolean; partOf?: string[] } = {},
): CountryEntry {
  return {
    name,
    region,
    spellings: options.spellings ?? [],
    aliases: [name.toLowerCase(), ...aliases],
    eu: options.eu ?? false,
    partOf: options.partOf,
  };
}

/** A demonym and its plural ("German", "Germans"); "French", "Swiss" and "Japanese" have none. */
function demonym(word: string): string[] {
  return /(?:ish|ese|ch|ss|sh)$/.test(word) ? [word] : [word, `${word}s`];
}

const d = (...words: string[]) => words.flatMap(demonym);

export const COUNTRIES: readonly CountryEntry[] = [
  entry(
    'United Kingdom',
    'europe',
    [
      'uk',
      'u.k.',
      'gb',
      'great britain',
      'britain',
      'the united kingdom',
      ...d('british', 'brit'),
      'england',
      'scotland',
      'wales',
      'northern ireland',
      ...d('english', 'scottish', 'scot', 'welsh'),
    ],
    {
      spellings: ['UK', 'Great Britain', 'GB'],
      partOf: ['england', 'scotland', 'wales', 'northern ireland'],
    },
  ),
  entry('Germany', 'europe', ['deutschland', ...d('german')], { eu: true }),
  entry('France', 'europe', d('french'), { eu: true }),
  entry('EIRE', 'europe', ['ireland', 'republic of ireland', ...d('irish')], {
    spellings: ['Ireland', 'Republic of Ireland'],
    eu: true,
  }),
  entry('Netherlands', 'europe', ['the netherlands', 'holland', ...d('dutch')], {
    spellings: ['The Netherlands', 'Holland'],
    eu: true,
  }),
  entry('Spain', 'europe', ['espana', ...d('spanish', 'spaniard')], { eu: true }),
  entry('Belgium', 'europe', d('belgian'), { eu: true }),
  entry('Switzerland', 'europe', d('swiss')),
  entry('Portugal', 'europe', d('portuguese'), { eu: true }),
  entry('Australia', 'oceania', d('australian', 'aussie')),
  entry('Norway', 'europe', d('norwegian')),
  entry('Italy', 'europe', d('italian'), { eu: true }),
  entry(
    'Channel Islands',
    'europe',
    ['jersey', 'guernsey', 'the channel islands', ...d('channel islander')],
    {
      partOf: ['jersey', 'guernsey'],
    },
  ),
  entry('Finland', 'europe', d('finnish', 'finn'), { eu: true }),
  entry('Cyprus', 'europe', d('cypriot'), { eu: true }),
  entry('Sweden', 'europe', d('swedish', 'swede'), { eu: true }),
  entry('Austria', 'europe', d('austrian'), { eu: true }),
  entry('Denmark', 'europe', d('danish', 'dane'), { eu: true }),
  entry('Japan', 'asia', d('japanese')),
  entry('Poland', 'europe', d('polish'), { eu: true }),
  entry(
    'USA',
    'americas',
    [
      'u.s.a.',
      'united states',
      'the united states',
      'united states of america',
      'america',
      'the states',
      ...d('american'),
    ],
    { spellings: ['United States', 'United States of America', 'US'] },
  ),
  entry('Israel', 'middle-east', d('israeli')),
  entry('Unspecified', 'other', ['unknown country', 'no country', 'country unspecified']),
  entry('Singapore', 'asia', d('singaporean')),
  entry('Iceland', 'europe', d('icelandic', 'icelander')),
  entry('Canada', 'americas', d('canadian')),
  entry('Greece', 'europe', d('greek'), { eu: true }),
  entry('Malta', 'europe', d('maltese'), { eu: true }),
  entry(
    'United Arab Emirates',
    'middle-east',
    ['uae', 'u.a.e.', 'the emirates', 'emirates', ...d('emirati')],
    {
      spellings: ['UAE'],
    },
  ),
  entry('European Community', 'europe', [], { eu: true }),
  entry('RSA', 'africa', ['south africa', ...d('south african')], { spellings: ['South Africa'] }),
  entry('Lebanon', 'middle-east', d('lebanese')),
  entry('Lithuania', 'europe', d('lithuanian'), { eu: true }),
  entry('Brazil', 'americas', d('brazilian')),
  entry('Czech Republic', 'europe', ['czechia', ...d('czech')], { spellings: ['Czechia'], eu: true }),
  entry('Bahrain', 'middle-east', d('bahraini')),
  entry('Saudi Arabia', 'middle-east', ['ksa', ...d('saudi')]),
  entry('Hong Kong', 'asia', []),
  entry('Luxembourg', 'europe', ['luxemburg', ...d('luxembourgish')], { eu: true }),
  entry('West Indies', 'americas', []),
  entry('Korea', 'asia', ['south korea', 'republic of korea', ...d('korean', 'south korean')], {
    spellings: ['South Korea'],
  }),
  entry('Thailand', 'asia', d('thai')),
  entry('Nigeria', 'africa', d('nigerian')),
  entry('Bermuda', 'americas', d('bermudian')),
  entry('New Zealand', 'oceania', ['nz', ...d('new zealander', 'kiwi')]),
  entry('China', 'asia', ['prc', ...d('chinese')]),
  entry('India', 'asia', d('indian')),
  entry('Mexico', 'americas', d('mexican')),
  entry('Russia', 'europe', ['russian federation', ...d('russian')]),
  entry('Turkey', 'europe', ['turkiye', ...d('turkish')]),
  entry('Argentina', 'americas', d('argentinian', 'argentine')),
  entry('Chile', 'americas', d('chilean')),
  entry('Colombia', 'americas', d('colombian')),
  entry('Peru', 'americas', d('peruvian')),
  entry('Egypt', 'africa', d('egyptian')),
  entry('Kenya', 'africa', d('kenyan')),
  entry('Morocco', 'africa', d('moroccan')),
  entry('Ghana', 'africa', d('ghanaian')),
  entry('Indonesia', 'asia', d('indonesian')),
  entry('Malaysia', 'asia', d('malaysian')),
  entry('Philippines', 'asia', ['the philippines', ...d('filipino')]),
  entry('Vietnam', 'asia', ['viet nam', ...d('vietnamese')]),
  entry('Taiwan', 'asia', d('taiwanese')),
  entry('Pakistan', 'asia', d('pakistani')),
  entry('Bangladesh', 'asia', d('bangladeshi')),
  entry('Sri Lanka', 'asia', d('sri lankan')),
  entry('Qatar', 'middle-east', d('qatari')),
  entry('Kuwait', 'middle-east', d('kuwaiti')),
  entry('Oman', 'middle-east', d('omani')),
  entry('Jordan', 'middle-east', d('jordanian')),
  entry('Iran', 'middle-east', d('iranian')),
  entry('Iraq', 'middle-east', d('iraqi')),
  entry('Ukraine', 'europe', d('ukrainian')),
  entry('Romania', 'europe', d('romanian'), { eu: true }),
  entry('Bulgaria', 'europe', d('bulgarian'), { eu: true }),
  entry('Hungary', 'europe', d('hungarian'), { eu: true }),
  entry('Slovakia', 'europe', d('slovak', 'slovakian'), { eu: true }),
  entry('Slovenia', 'europe', d('slovenian', 'slovene'), { eu: true }),
  entry('Croatia', 'europe', d('croatian'), { eu: true }),
  entry('Serbia', 'europe', d('serbian')),
  entry('Estonia', 'europe', d('estonian'), { eu: true }),
  entry('Latvia', 'europe', d('latvian'), { eu: true }),
  entry('Monaco', 'europe', d('monegasque')),
  entry('Liechtenstein', 'europe', []),
  entry('Andorra', 'europe', []),
  entry('Isle of Man', 'europe', ['manx']),
  entry('Gibraltar', 'europe', []),
  entry('Venezuela', 'americas', d('venezuelan')),
  entry('Cuba', 'americas', d('cuban')),
  entry('Jamaica', 'americas', d('jamaican')),
  entry('Ecuador', 'americas', d('ecuadorian')),
  entry('Uruguay', 'americas', d('uruguayan')),
  entry('Costa Rica', 'americas', d('costa rican')),
  entry('Panama', 'americas', d('panamanian')),
  entry('Tunisia', 'africa', d('tunisian')),
  entry('Algeria', 'africa', d('algerian')),
  entry('Ethiopia', 'africa', d('ethiopian')),
  entry('Tanzania', 'africa', d('tanzanian')),
  entry('Uganda', 'africa', d('ugandan')),
  entry('Zimbabwe', 'africa', d('zimbabwean')),
  entry('Nepal', 'asia', d('nepalese')),
  entry('Mongolia', 'asia', d('mongolian')),
  entry('Kazakhstan', 'asia', d('kazakh')),
  entry('Fiji', 'oceania', d('fijian')),
  entry('Greenland', 'americas', []),
];

/** Groups of countries a marketer may name at once; expanded to the members present in the data. */
export interface RegionEntry {
  label: string;
  aliases: string[];
  members: (c: CountryEntry) => boolean;
}

const HOME_ISLES = new Set(['United Kingdom', 'Channel Islands']);

export const REGIONS: readonly RegionEntry[] = [
  {
    label: 'Europe (outside the UK)',
    aliases: ['europe', 'continental europe', 'mainland europe', 'the continent', ...d('european')],
    members: (c) => c.region === 'europe' && !HOME_ISLES.has(c.name),
  },
  {
    label: 'the EU',
    aliases: ['eu', 'e.u.', 'the eu', 'european union'],
    members: (c) => c.eu,
  },
  {
    label: 'Scandinavia',
    aliases: ['scandinavia', ...d('scandinavian')],
    members: (c) => ['Norway', 'Sweden', 'Denmark'].includes(c.name),
  },
  {
    label: 'the Nordics',
    aliases: ['nordics', 'nordic', 'nordic countries'],
    members: (c) => ['Norway', 'Sweden', 'Denmark', 'Finland', 'Iceland'].includes(c.name),
  },
  {
    label: 'Benelux',
    aliases: ['benelux'],
    members: (c) => ['Belgium', 'Netherlands', 'Luxembourg'].includes(c.name),
  },
  {
    label: 'DACH',
    aliases: ['dach'],
    members: (c) => ['Germany', 'Austria', 'Switzerland'].includes(c.name),
  },
  {
    label: 'the Middle East',
    aliases: ['middle east', 'the middle east', 'middle eastern', 'gulf', 'the gulf', 'gcc'],
    members: (c) => c.region === 'middle-east',
  },
  {
    label: 'Asia-Pacific',
    aliases: ['asia', 'apac', 'asia pacific', 'asia-pacific', ...d('asian')],
    members: (c) => c.region === 'asia' || c.region === 'oceania',
  },
  {
    label: 'North America',
    aliases: ['north america', ...d('north american')],
    members: (c) => ['USA', 'Canada'].includes(c.name),
  },
  {
    label: 'the British Isles',
    aliases: ['british isles', 'the british isles'],
    members: (c) => ['United Kingdom', 'EIRE', 'Channel Islands', 'Isle of Man'].includes(c.name),
  },
];

/**
 * ISO codes marketers type ("DE at risk >£1k"), read only in capitals. Codes that are also common English words
 * in capitals (BE, NO, IT, AT, IS, IN, US) are left out; "US" is handled on its own.
 */
export const COUNTRY_CODES: Readonly<Record<string, string>> = {
  GB: 'United Kingdom',
  DE: 'Germany',
  FR: 'France',
  IE: 'EIRE',
  NL: 'Netherlands',
  ES: 'Spain',
  CH: 'Switzerland',
  PT: 'Portugal',
  AU: 'Australia',
  DK: 'Denmark',
  SE: 'Sweden',
  FI: 'Finland',
  CY: 'Cyprus',
  JP: 'Japan',
  PL: 'Poland',
  IL: 'Israel',
  SG: 'Singapore',
  CA: 'Canada',
  GR: 'Greece',
  MT: 'Malta',
  AE: 'United Arab Emirates',
  ZA: 'RSA',
  LB: 'Lebanon',
  LT: 'Lithuania',
  BR: 'Brazil',
  CZ: 'Czech Republic',
  BH: 'Bahrain',
  HK: 'Hong Kong',
  LU: 'Luxembourg',
};

/** Codes that are also words, read as countries only after a place word ("customers in IT"). */
export const WORD_LIKE_CODES: Readonly<Record<string, string>> = {
  IT: 'Italy',
  AT: 'Austria',
  BE: 'Belgium',
  NO: 'Norway',
  IS: 'Iceland',
  SA: 'Saudi Arabia',
};

/** The home market, so "international" means "outside the United Kingdom". */
export const HOME_COUNTRY = 'United Kingdom';

export type CountryHit =
  | { kind: 'country'; entry: CountryEntry }
  | { kind: 'region'; region: RegionEntry }
  | { kind: 'home'; inside: boolean };

export interface CountryIndex {
  /** Regex alternation of every alias, longest first (lower case; match with the `i` flag). */
  pattern: string;
  lookup(alias: string): CountryHit | undefined;
  /** The data's spelling of a country, or undefined when no customer lives there. */
  inData(entry: CountryEntry): string | undefined;
  entries: readonly CountryEntry[];
  /** Every alias, for spelling suggestions. */
  aliases: readonly string[];
}

const HOME_WORDS: Record<string, boolean> = {
  international: false,
  overseas: false,
  abroad: false,
  foreign: false,
  'non-domestic': false,
  domestic: true,
  'home market': true,
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const cache = new WeakMap<object, CountryIndex>();

/**
 * The alias index for one vocabulary: the table above plus any data country it does not know.
 *
 * @example
 * const index = countryIndex({ countries: ['EIRE'], categories: [] });
 * index.lookup('irish'); // { kind: 'country', entry: { name: 'EIRE', ... } }
 */
export function countryIndex(vocab: Vocabulary): CountryIndex {
  const cached = cache.get(vocab.countries);
  if (cached) return cached;
  const byAlias = new Map<string, CountryHit>();
  const entries: CountryEntry[] = [...COUNTRIES];
  const known = new Set(COUNTRIES.flatMap((c) => [c.name, ...c.spellings].map((n) => n.toLowerCase())));
  for (const name of vocab.countries) {
    if (!known.has(name.toLowerCase())) entries.push(entry(name, 'other', []));
  }
  for (const e of entries) {
    for (const alias of [...e.aliases, ...e.spellings.map((s) => s.toLowerCase())]) {
      if (!byAlias.has(alias)) byAlias.set(alias, { kind: 'country', entry: e });
    }
  }
  for (const region of REGIONS) {
    for (const alias of region.aliases)
      if (!byAlias.has(alias)) byAlias.set(alias, { kind: 'region', region });
  }
  for (const [word, inside] of Object.entries(HOME_WORDS)) byAlias.set(word, { kind: 'home', inside });
  // "us" is a pronoun far more often than a country: the parser turns "US" and "the US" into "USA" first.
  byAlias.delete('us');
  const aliases = [...byAlias.keys()].sort((a, b) => b.length - a.length);
  const lowerData = new Map(vocab.countries.map((c) => [c.toLowerCase(), c]));
  const index: CountryIndex = {
    pattern: aliases.map((a) => escapeRe(a).replace(/ /g, '\\s+').replace(/-/g, '[\\s-]?')).join('|'),
    lookup: (alias) =>
      byAlias.get(
        alias
          .toLowerCase()
          .replace(/[\s-]+/g, ' ')
          .trim(),
      ),
    inData: (e) => {
      for (const spelling of [e.name, ...e.spellings]) {
        const found = lowerData.get(spelling.toLowerCase());
        if (found) return found;
      }
      return undefined;
    },
    entries,
    aliases,
  };
  cache.set(vocab.countries, index);
  return index;
}

/**
 * Data countries to offer instead of one with no customers: same region first, then the rest.
 *
 * @example
 * countriesNear('americas', vocab); // ['USA', 'Canada', 'United Kingdom', ...]
 */
export function countriesNear(region: Region | undefined, vocab: Vocabulary, max = 8): string[] {
  const index = countryIndex(vocab);
  const regionOf = (name: string) =>
    index.entries.find((e) => index.inData(e) === name && e.name !== 'Unspecified')?.region;
  const data = vocab.countries.filter((c) => c !== 'Unspecified');
  const same = data.filter((c) => region && regionOf(c) === region);
  const rest = data.filter((c) => !same.includes(c));
  return [...same, ...rest].slice(0, max);
}

/**
 * The data countries whose names or aliases are closest in spelling to a word.
 *
 * @example
 * suggestCountries('germny', vocab); // ['Germany', ...]
 */
export function suggestCountries(word: string, vocab: Vocabulary, max = 3): string[] {
  const index = countryIndex(vocab);
  const w = word.toLowerCase();
  const scored: { name: string; score: number }[] = [];
  for (const e of index.entries) {
    const name = index.inData(e);
    if (!name) continue;
    const score = Math.min(...e.aliases.map((a) => distance(w, a) / Math.max(a.length, w.length)));
    scored.push({ name, score });
  }
  scored.sort((a, b) => a.score - b.score || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, max);
}

/**
 * The shortest edit distance from a word to any country alias of about the same length (0 = exact).
 *
 * @example
 * countryLikeness('frnech', vocab); // 2
 */
export function countryLikeness(word: string, vocab: Vocabulary): number {
  const w = word.toLowerCase();
  let best = Number.POSITIVE_INFINITY;
  for (const a of countryIndex(vocab).aliases) {
    if (Math.abs(a.length - w.length) > 2) continue;
    best = Math.min(best, distance(w, a));
  }
  return best;
}
