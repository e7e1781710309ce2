 
import type { ConfigStore } from '../../domain/ports/config-store.port';
import { PermanentAdapterError } from '../../adapters/errors';

export type ParameterKey = 'activeRegion' | 'fenced';

/** What the contract needs of an implementation under test, plus ways to arrange and inspect parameters. */
export interface ConfigStoreFixture {
  readonly store: ConfigStore;
  /** The parameter path the store was built with, e.g. `/contract/t1`. */
  readonly prefix: string;
  /** Store a raw String value (twin: its seed API; AWS: PutParameter). */
  seedRaw(region: string, key: ParameterKey, value: string): Promise<void>;
  /** Parameter Store version of each existing parameter in `region`. */
  versions(region: string): Promise<Partial<Record<ParameterKey, number>>>;
}

/**
 * The one behaviour every ConfigStore must show. Registers jest tests named after `implementation`;
 * `setup` gives each test a store with no parameters in any region.
 */
export function configStoreContract(implementation: string, setup: () => Promise<ConfigStoreFixture>): void {
  describe(`ConfigStore contract: ${implementation}`, () => {
    let f: ConfigStoreFixture;
    beforeEach(async () => {
      f = await setup();
    });

    it(`reads nothing from a region without parameters (${implementation})`, async () => {
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({});
    });

    it(`reads back what it wrote and reports both keys as changed (${implementation})`, async () => {
      const result = await f.store.write('us-east-1', { activeRegion: 'us-east-2', fenced: true });

      expect(result).toEqual({ changed: ['activeRegion', 'fenced'] });
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-2', fenced: true });
      await expect(f.versions('us-east-1')).resolves.toEqual({ activeRegion: 1, fenced: 1 });
    });

    it(`changes nothing, and creates no new parameter version, on a second identical write (${implementation})`, async () => {
      await f.store.write('us-east-1', { activeRegion: 'us-east-2', fenced: false });

      const result = await f.store.write('us-east-1', { activeRegion: 'us-east-2', fenced: false });

      expect(result).toEqual({ changed: [] });
      await expect(f.versions('us-east-1')).resolves.toEqual({ activeRegion: 1, fenced: 1 });
    });

    it(`writes only the values that differ (${implementation})`, async () => {
      await f.store.write('us-east-1', { activeRegion: 'us-east-1', fenced: false });

      const result = await f.store.write('us-east-1', { activeRegion: 'us-east-2', fenced: false });

      expect(result).toEqual({ changed: ['activeRegion'] });
      await expect(f.versions('us-east-1')).resolves.toEqual({ activeRegion: 2, fenced: 1 });
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-2', fenced: false });
    });

    it(`leaves parameters it was not given alone (${implementation})`, async () => {
      await f.store.write('us-east-1', { activeRegion: 'us-east-1' });

      const result = await f.store.write('us-east-1', { fenced: true });

      expect(result).toEqual({ changed: ['fenced'] });
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-1', fenced: true });
    });

    it(`keeps regions independent (${implementation})`, async () => {
      await f.store.write('us-east-1', { activeRegion: 'us-east-2', fenced: true });

      await expect(f.store.read('us-east-2')).resolves.toStrictEqual({});
      await expect(f.store.write('us-east-2', { activeRegion: 'us-east-2', fenced: false })).resolves.toEqual({ changed: ['activeRegion', 'fenced'] });
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({ activeRegion: 'us-east-2', fenced: true });
    });

    it(`changes nothing on an empty write (${implementation})`, async () => {
      await expect(f.store.write('us-east-1', {})).resolves.toEqual({ changed: [] });
      await expect(f.versions('us-east-1')).resolves.toEqual({});
    });

    it(`rejects a malformed fenced value with a PermanentAdapterError naming the parameter (${implementation})`, async () => {
      await f.seedRaw('us-east-1', 'fenced', 'maybe');

      const error = await f.store.read('us-east-1').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toContain(`${f.prefix}/fenced`);
    });

    it(`rejects a malformed active-region value with a PermanentAdapterError naming the parameter (${implementation})`, async () => {
      await f.seedRaw('us-east-1', 'activeRegion', 'east');

      const error = await f.store.read('us-east-1').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toContain(`${f.prefix}/active-region`);
    });

    it(`repairs a malformed value by writing a valid one (${implementation})`, async () => {
      await f.seedRaw('us-east-1', 'fenced', 'TRUE');

      const result = await f.store.write('us-east-1', { fenced: true });

      expect(result).toEqual({ changed: ['fenced'] });
      await expect(f.store.read('us-east-1')).resolves.toStrictEqual({ fenced: true });
    });

    it(`rejects an activeRegion that is not a region name, naming the field, and writes nothing (${implementation})`, async () => {
      const error = await f.store.write('us-east-1', { activeRegion: 'primary', fenced: true }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PermanentAdapterError);
      expect((error as Error).message).toMatch(/activeRegion must be a region name/);
      await expect(f.versions('us-east-1')).resolves.toEqual({});
    });
  });
}
