import { describe, expect, it } from 'vitest';
import { parseBrand } from './brand.ts';
import { CHANNELS, textFields } from './channels.ts';
import { TEST_BRAND, TEST_CATALOGUE, TEST_PRODUCTS, testBrief } from './fixtures.ts';
import { factProblems, factsFrom, guardDraft } from './guard.ts';
import { writeLocalDrafts } from './local.ts';
import { buildCatalogue, productMentions, words } from './mentions.ts';

const named = (text: string, products = TEST_PRODUCTS) =>
  productMentions(text, products, { catalogue: TEST_CATALOGUE, extraWords: ['Hearth & Co'] }).map((m) => [
    m.text,
    m.productIds,
  ]);

describe('products named in the words of a draft', () => {
  it('reads words with their case, sentence starts and punctuation between them', () => {
    expect(words('Our Velvet-Dream Lamps, now.').map((w) => [w.norm, w.capital, w.boundary])).toEqual([
      ['our', true, true],
      ['velvet', true, false],
      ['dream', true, false],
      ['lamp', true, false],
      ['now', false, true],
    ]);
  });

  it('indexes whole names and the runs of them that name a product, not everyday phrases', () => {
    const catalogue = buildCatalogue([
      { id: '1', name: 'DOORMAT HOME SWEET HOME BLUE' },
      { id: '2', name: 'CHOCOLATE HOT WATER BOTTLE' },
      { id: '3', name: 'POSTAGE' },
    ]);
    expect(catalogue.spans.get('doormat home sweet home blue')).toEqual(['1']);
    expect(catalogue.spans.get('hot water bottle')).toEqual(['2']);
    // No product noun in the run: "home sweet home" is not a product, and one-word names are not indexed.
    expect(catalogue.spans.has('home sweet home')).toBe(false);
    expect(catalogue.names.has('3')).toBe(false);
  });

  it('rejects a real catalogue product the draft was not given, in any case', () => {
    expect(named('Pair it with the Jumbo Bag Red Retrospot.')).toEqual([
      ['Jumbo Bag Red Retrospot', ['85099B']],
    ]);
    expect(named('our jumbo bag red retrospot is back')).toEqual([['jumbo bag red retrospot', ['85099B']]]);
    expect(named('Regency Cakestand 3 Tier for tea, and a hot water bottle for later')).toEqual([
      ['Regency Cakestand 3 Tier', ['22423']],
      ['hot water bottle', ['22112']],
    ]);
  });

  it('rejects a product that is in no data, however it is introduced', () => {
    for (const [text, name] of [
      ['Meet our Velvet Dream Lamp, now 70% off', 'Velvet Dream Lamp'],
      ['Introducing the velvet dream lamp.', 'velvet dream lamp'],
      ['Our new moonbeam pillow is here', 'moonbeam pillow'],
      ['Light up the room with the Velvet Dream lamp', 'Velvet Dream lamp'],
      ['Set the table with our Vintage Floral Tea Set.', 'Vintage Floral Tea Set'],
      ['Curl up with the “Velvet Dream” lamp tonight', 'Velvet Dream” lamp'],
    ]) {
      expect(named(text!), text).toEqual([[name, []]]);
    }
  });

  it('accepts the given products in another case, in part, and in the plural', () => {
    for (const text of [
      'The rabbit night light and our white hanging heart t-light holders glow all evening.',
      'RABBIT NIGHT LIGHT, now here',
      'T-Light Holders for cosy evenings',
      'Say Hello To Our Rabbit Night Light',
      'Meet the Hanging Heart T-Light Holder',
      "A Paper Chain Kit for a 50's Christmas",
      'Twinkling Night Lights For Every Room',
    ]) {
      expect(named(text), text).toEqual([]);
    }
  });

  it('leaves ordinary copy alone', () => {
    for (const text of [
      'Light Up Your Christmas: Festive Lights For Every Room',
      'Christmas decorations, candles and gifts for the whole family. Home sweet home.',
      'The Perfect Gift For Her',
      'Wake up to something lovely. Soft glows for long winter nights.',
      'A Cosy Night In With Hearth & Co',
      'Get Set For Christmas',
      'Glow-in-the-dark fun for little ones at bedtime.',
      'Jumbo savings? No: just lovely lights. Bag yours today, red-letter day!',
      'Hello,\n\nWith love, the Hearth & Co team',
    ]) {
      expect(named(text), text).toEqual([]);
    }
  });

  it('a name does not run across punctuation or lines', () => {
    // "heart" ends one line and "T-light holder" starts the next: no Red Hanging Heart T-Light Holder here.
    expect(named('Rabbit Night Light in red, hanging heart.\nT-light holders too')).toEqual([]);
  });

  it('is part of the facts check, with a reason a writer can act on', () => {
    const facts = factsFrom(TEST_PRODUCTS, 'email about night lights');
    const problems = factProblems(
      {
        channel: 'social',
        text: 'Our Rabbit Night Light, and the Jumbo Bag Red Retrospot. Meet the Velvet Dream Lamp!',
      },
      ['23084'],
      facts,
      { catalogue: TEST_CATALOGUE },
    );
    expect(problems.map((p) => p.message)).toEqual([
      `names "Jumbo Bag Red Retrospot", a product in the catalogue that is not among this draft's products (Rabbit Night Light, White Hanging Heart T-Light Holder, Paper Chain Kit 50's Christmas)`,
      'names "Velvet Dream Lamp", which is not a product in the data',
    ]);
  });

  it('never rejects the local templates’ own drafts (every channel, register, seed)', () => {
    const brands = [
      TEST_BRAND,
      parseBrand('name: Hearth & Co\ntone: [playful]\nemoji: free', 'b'),
      parseBrand('name: Maison Lumière\ntone: [premium]\nemoji: none', 'b'),
    ];
    for (const channel of CHANNELS) {
      for (const brand of brands) {
        for (let seed = 1; seed <= 20; seed++) {
          const brief = testBrief(channel, 'about lights, 20% off', brand);
          for (const draft of writeLocalDrafts(brief, 6, seed)) {
            const { problems, content } = guardDraft(draft.content, {
              brand,
              facts: brief.facts,
              productIds: draft.productIds,
              catalogue: brief.catalogue,
            });
            expect(problems, textFields(content).join(' | ')).toEqual([]);
          }
        }
      }
    }
  });
});
