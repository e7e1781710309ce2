import type { Notice, NoticeType, Publisher } from '../../domain/ports/publisher.port';

/** A fresh publisher, and what its bus delivered. */
export interface PublisherSubject {
  readonly publisher: Publisher;
  /** Notices delivered so far, in delivery order (each read drains them). */
  delivered(): Promise<Notice[]>;
  /** PutEvents requests made so far. */
  requests(): number;
}

const notice = (i: number, detailType: NoticeType = 'DR Decision'): Notice => ({
  detailType,
  detail: { app: 'payments', eventId: `evt-${i}`, reason: `decision ${i}`, nested: { generation: i, regions: ['us-east-1', 'us-east-2'] } },
});

/** Registers the behaviour every Publisher implementation shares. `implementation` names it in test titles. */
export function publisherContract(implementation: string, arrange: () => Promise<PublisherSubject>): void {
  describe(`Publisher contract (${implementation})`, () => {
    let subject: PublisherSubject;
    beforeEach(async () => {
      subject = await arrange();
    });

    it(`[${implementation}] delivers every notice with its detail type and detail`, async () => {
      const notices = [notice(1, 'DR Decision'), notice(2, 'DR Failover Started'), notice(3, 'DR Step Completed')];

      await subject.publisher.publish(notices);

      await expect(subject.delivered()).resolves.toEqual(notices);
    });

    it(`[${implementation}] sends nothing for no notices`, async () => {
      await subject.publisher.publish([]);

      expect(subject.requests()).toBe(0);
      await expect(subject.delivered()).resolves.toEqual([]);
    });

    it(`[${implementation}] sends a batch of 25 in 3 requests and delivers all of it in order`, async () => {
      const notices = Array.from({ length: 25 }, (_, i) => notice(i));

      await subject.publisher.publish(notices);

      expect(subject.requests()).toBe(3);
      await expect(subject.delivered()).resolves.toEqual(notices);
    });
  });
}
