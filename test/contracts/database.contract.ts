 
import { PermanentAdapterError } from '../../adapters/errors';
import type { Region } from '../../domain/config';
import type { Database, PromotionMode } from '../../domain/ports/database.port';

/** A database arranged for the read-only part: `writer` is the writer, no lag datapoints exist. */
export interface DatabaseReadWorld {
  readonly db: Database;
  readonly writer: Region;
  readonly secondary: Region;
  readonly clusterArns: Readonly<Record<Region, string>>;
  /** Make `region` report `seconds` of replication lag from a datapoint of the last minute. */
  recordLag(region: Region, seconds: number): Promise<void>;
  /** Make `region` report `seconds` of replication lag only from a datapoint whose period ended about three minutes ago. */
  recordStaleLag(region: Region, seconds: number): Promise<void>;
  dispose?(): Promise<void> | void;
}

/** A database arranged for promotions: `writer` is the writer, `secondary` can be promoted. */
export interface DatabasePromotionWorld {
  readonly db: Database;
  readonly writer: Region;
  readonly secondary: Region;
  /** Promotions the implementation issued to the database service, oldest first. */
  promotionsIssued(): readonly { readonly region: Region; readonly mode: PromotionMode }[];
  dispose?(): Promise<void> | void;
}

export interface DatabaseContractTarget {
  /** Named in every test title, e.g. `InMemoryAuroraDatabase`. */
  readonly implementation: string;
  /** Arranges a fresh world per test for the read-only part; omit to skip that part. */
  readonly read?: () => Promise<DatabaseReadWorld>;
  /** Arranges a fresh world per test for the promotion part; omit to skip that part. */
  readonly promotion?: () => Promise<DatabasePromotionWorld>;
}

/** Status polls a started promotion may take before the contract calls it stuck. */
const MAX_POLLS = 10;

/**
 * The one contract every {@link Database} implementation passes: registers jest tests for the
 * parts the target can arrange.
 */
export function databaseContract(target: DatabaseContractTarget): void {
  const { implementation, read, promotion } = target;
  let disposeWorld: (() => Promise<void> | void) | undefined;
  const track = <W extends { dispose?(): Promise<void> | void }>(world: W): W => {
    disposeWorld = world.dispose?.bind(world);
    return world;
  };

  describe(`Database contract: ${implementation}`, () => {
    afterEach(async () => {
      await disposeWorld?.();
      disposeWorld = undefined;
    });

    if (read) {
      it(`[${implementation}] status shows the writer region and every member cluster, with no promotion in progress`, async () => {
        const world = track(await read());

        const status = await world.db.status();

        expect(status.writerRegion).toBe(world.writer);
        expect(status.promotionInProgress).toBe(false);
        expect(status.status).toBe('available');
        expect([...status.members].sort((a, b) => a.region.localeCompare(b.region))).toEqual(
          Object.entries(world.clusterArns)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([region, clusterArn]) => expect.objectContaining({ region, clusterArn, isWriter: region === world.writer })),
        );
      });

      it(`[${implementation}] replication lag is undefined (unknown), never 0, when the region has no datapoints`, async () => {
        const world = track(await read());

        const lag = await world.db.replicationLagSeconds(world.secondary);

        expect(lag).toBeUndefined();
      });

      it(`[${implementation}] replication lag is reported in seconds when the region has datapoints`, async () => {
        const world = track(await read());
        await world.recordLag(world.secondary, 2.5);

        const lag = await world.db.replicationLagSeconds(world.secondary);

        expect(lag).toBe(2.5);
      });

      it(`[${implementation}] replication lag is undefined (unknown) when its newest datapoint is older than a minute`, async () => {
        const world = track(await read());
        await world.recordStaleLag(world.secondary, 2.5);

        const lag = await world.db.replicationLagSeconds(world.secondary);

        expect(lag).toBeUndefined();
      });

      it(`[${implementation}] promote to a region without a member cluster fails permanently, naming the region`, async () => {
        const world = track(await read());

        const attempt = world.db.promote('ap-nowhere-1', 'switchover');

        await expect(attempt).rejects.toBeInstanceOf(PermanentAdapterError);
        await expect(attempt).rejects.toThrow(/ap-nowhere-1.*clusterArns/);
      });
    }

    if (promotion) {
      it(`[${implementation}] promote to the current writer returns already-writer and issues nothing`, async () => {
        const world = track(await promotion());

        const result = await world.db.promote(world.writer, 'switchover');

        expect(result).toEqual({ type: 'already-writer' });
        expect(world.promotionsIssued()).toEqual([]);
      });

      it.each<[PromotionMode, string]>([
        ['switchover', 'switching-over'],
        ['failover', 'failing-over'],
      ])(`[${implementation}] promote to the secondary by %s starts, reports %s, then the secondary is writer`, async (mode, inProgressStatus) => {
        const world = track(await promotion());

        const result = await world.db.promote(world.secondary, mode);
        const during = await world.db.status();
        let after = during;
        for (let poll = 0; after.promotionInProgress && poll < MAX_POLLS; poll++) after = await world.db.status();

        expect(result).toEqual({ type: 'started', mode });
        expect(world.promotionsIssued()).toEqual([{ region: world.secondary, mode }]);
        expect(during).toMatchObject({ promotionInProgress: true, status: inProgressStatus });
        expect(after).toMatchObject({ promotionInProgress: false, writerRegion: world.secondary });
        expect(after.members.filter((m) => m.isWriter).map((m) => m.region)).toEqual([world.secondary]);
      });

      it(`[${implementation}] promote while a promotion is in progress returns in-progress and issues nothing more`, async () => {
        const world = track(await promotion());
        await world.db.promote(world.secondary, 'failover');

        const again = await world.db.promote(world.secondary, 'failover');

        expect(again).toEqual({ type: 'in-progress' });
        expect(world.promotionsIssued()).toHaveLength(1);
      });
    }
  });
}
