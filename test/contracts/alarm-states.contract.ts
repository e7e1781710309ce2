import type { AlarmState } from '../../domain/events';
import type { AlarmStates } from '../../domain/ports/alarm-states.port';

/** A fresh set of alarms, and a way to put one in a state outside the port (CloudWatch evaluating it). */
export interface AlarmStatesSubject {
  readonly alarmStates: AlarmStates;
  /** Create (if needed) the alarm `alarmName` in `region` and put it in `state` with `reason`, now. */
  setAlarm(region: string, alarmName: string, state: AlarmState, reason: string): Promise<void>;
}

/** Registers the behaviour every AlarmStates implementation shares. `implementation` names it in test titles. */
export function alarmStatesContract(implementation: string, arrange: () => Promise<AlarmStatesSubject>): void {
  describe(`AlarmStates contract (${implementation})`, () => {
    let subject: AlarmStatesSubject;
    beforeEach(async () => {
      subject = await arrange();
    });

    it(`[${implementation}] reads each named alarm's state, when it entered it, and why`, async () => {
      const before = Date.now();
      await subject.setAlarm('us-east-1', 'payments-use1-api-5xx', 'ALARM', '3 datapoints were greater than the threshold');
      await subject.setAlarm('us-east-1', 'payments-use1-latency', 'OK', 'back to normal');

      const readings = await subject.alarmStates.read('us-east-1', ['payments-use1-api-5xx', 'payments-use1-latency']);

      expect([...readings].sort((a, b) => a.alarmName.localeCompare(b.alarmName))).toEqual([
        { alarmName: 'payments-use1-api-5xx', state: 'ALARM', at: expect.any(Number), reason: '3 datapoints were greater than the threshold' },
        { alarmName: 'payments-use1-latency', state: 'OK', at: expect.any(Number), reason: 'back to normal' },
      ]);
      for (const r of readings) {
        // Within a few seconds of the change (StateUpdatedTimestamp has second precision in some services).
        expect(r.at).toBeGreaterThanOrEqual(before - 5_000);
        expect(r.at).toBeLessThanOrEqual(Date.now() + 5_000);
      }
    });

    it(`[${implementation}] leaves out alarms that do not exist, and alarms that were not asked for`, async () => {
      await subject.setAlarm('us-east-1', 'payments-use1-api-5xx', 'ALARM', 'threshold crossed');
      await subject.setAlarm('us-east-1', 'payments-use1-other', 'ALARM', 'threshold crossed');

      const readings = await subject.alarmStates.read('us-east-1', ['payments-use1-api-5xx', 'payments-use1-deleted']);

      expect(readings.map((r) => r.alarmName)).toEqual(['payments-use1-api-5xx']);
    });

    it(`[${implementation}] reads only the region asked for`, async () => {
      await subject.setAlarm('us-east-1', 'payments-api-5xx', 'ALARM', 'threshold crossed');
      await subject.setAlarm('us-east-2', 'payments-api-5xx', 'OK', 'fine');

      const readings = await subject.alarmStates.read('us-east-2', ['payments-api-5xx']);

      expect(readings).toEqual([expect.objectContaining({ alarmName: 'payments-api-5xx', state: 'OK' })]);
    });

    it(`[${implementation}] reads more alarms than one call takes`, async () => {
      const names = Array.from({ length: 105 }, (_, i) => `payments-alarm-${String(i).padStart(3, '0')}`);
      for (const name of names) await subject.setAlarm('us-east-1', name, 'INSUFFICIENT_DATA', 'no data');

      const readings = await subject.alarmStates.read('us-east-1', names);

      expect(readings.map((r) => r.alarmName).sort()).toEqual(names);
    });

    it(`[${implementation}] answers an empty list for no names`, async () => {
      await expect(subject.alarmStates.read('us-east-1', [])).resolves.toEqual([]);
    });
  });
}
