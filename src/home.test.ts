import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureDatabase, drivers, type TestDatabase } from '../test/database.ts';
import type { Caller } from './core/command.ts';
import { buildHome, type HomeSection, savedSegmentsSection } from './home.ts';
import { createLogger } from './logger.ts';
import { saveSegment } from './segments/service.ts';

const caller: Caller = { platform: 'slack', userId: 'U1', conversationId: 'slack:home:U1' };
const log = createLogger('silent');

for (const driver of drivers) {
  describe(driver, () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createFixtureDatabase(driver);
    });

    afterAll(async () => {
      await database?.dispose();
    });

    it('says how to save a segment when none is saved', async () => {
      const [section] = await buildHome({ database, caller }, log, [savedSegmentsSection]);
      expect(section!.title).toBe('Saved segments');
      expect(section!.text).toMatch(/No segments are saved yet/);
    });

    it('lists saved segments with their definition and size when saved', async () => {
      await saveSegment(database, {
        name: 'everyone',
        definition: { conditions: [] },
        createdBy: 'slack:U1',
      });
      const [section] = await buildHome({ database, caller }, log, [savedSegmentsSection]);
      expect(section!.title).toBe('Saved segments (1)');
      expect(section!.table!.rows).toEqual([['everyone', 'all customers', '3']]);
    });

    it('keeps the rest of the page when one section fails, and leaves out empty ones', async () => {
      const broken: HomeSection = async () => {
        throw new Error('boom');
      };
      const empty: HomeSection = async () => null;
      const sections = await buildHome({ database, caller }, log, [broken, empty, savedSegmentsSection]);
      expect(sections).toHaveLength(2);
      expect(sections[0]).toMatchObject({ tone: 'error' });
      expect(sections[1]!.title).toMatch(/Saved segments/);
    });
  });
}
