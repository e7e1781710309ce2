import { AccessDeniedException, EventBridgeClient, InternalException, PutEventsCommand, ThrottlingException } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { PermanentAdapterError, TransientAdapterError } from '../../adapters/errors';
import { EventBridgePublisher, type EventBridgePublisherOptions } from '../../adapters/publisher/eventbridge-publisher.adapter';
import type { Notice } from '../../domain/ports/publisher.port';

/**
 * The EventBridge User Guide's PutEvents partial failure, copied verbatim from
 * /work/shared/fixtures/aws/api_example__eventbridge_put_events__response_partial_failure.json.
 */
const PARTIAL_FAILURE = {
  FailedEntryCount: 1,
  Entries: [
    { EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' },
    { ErrorCode: 'InternalFailure', ErrorMessage: 'Internal Service Failure' },
    { EventId: 'd804d26a-88db-4b66-9eaf-9a11c708ae82' },
  ],
};
const accepted = (n: number) => ({ FailedEntryCount: 0, Entries: Array.from({ length: n }, (_, i) => ({ EventId: `11710aed-b79e-4468-a20b-bb3c0c3b48${String(i).padStart(2, '0')}` })) });

const notice = (i: number, extra: Record<string, unknown> = {}): Notice => ({ detailType: 'DR Decision', detail: { app: 'payments', eventId: `evt-${i}`, ...extra } });
const metadata = { $metadata: { httpStatusCode: 400 } };

describe('EventBridgePublisher', () => {
  const eventBridge = mockClient(EventBridgeClient);
  const sleep = jest.fn(async (_ms: number) => {});
  const publisher = (options: Partial<EventBridgePublisherOptions> = {}) =>
    new EventBridgePublisher({ client: new EventBridgeClient({ region: 'us-east-2' }), busName: 'dr-controller', sleep, ...options });
  const sent = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);

  beforeEach(() => {
    eventBridge.reset();
    sleep.mockClear();
    eventBridge.on(PutEventsCommand).callsFake(async ({ Entries = [] }: { Entries?: unknown[] }) => accepted(Entries.length));
  });

  it('sends each notice as an entry on the bus with the source, detail type and JSON detail', async () => {
    await publisher().publish([notice(1)]);

    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [{ EventBusName: 'dr-controller', Source: 'dr.controller', DetailType: 'DR Decision', Detail: '{"app":"payments","eventId":"evt-1"}' }],
    });
  });

  it('uses the configured source', async () => {
    await publisher({ source: 'dr.controller.staging' }).publish([notice(1)]);

    expect(sent()[0]?.[0]?.Source).toBe('dr.controller.staging');
  });

  it('sends 25 notices in requests of 10, 10 and 5, in order', async () => {
    const notices = Array.from({ length: 25 }, (_, i) => notice(i));

    await publisher().publish(notices);

    expect(sent().map((entries) => entries.length)).toEqual([10, 10, 5]);
    expect(sent().flat().map((e) => e.Detail)).toEqual(notices.map((n) => JSON.stringify(n.detail)));
  });

  it('starts a new request before the entries would reach 256 KB', async () => {
    const big = (i: number) => notice(i, { blob: 'x'.repeat(100 * 1024) });

    await publisher().publish([big(1), big(2), big(3)]);

    expect(sent().map((entries) => entries.length)).toEqual([2, 1]);
  });

  it('refuses a notice over 256 KB with a PermanentAdapterError naming it, sending nothing', async () => {
    const publish = publisher().publish([notice(1, { blob: 'x'.repeat(256 * 1024) })]);

    await expect(publish).rejects.toThrow(PermanentAdapterError);
    await expect(publish).rejects.toThrow(/"DR Decision" notice is \d+ bytes, over the 256 KB/);
    expect(eventBridge).not.toHaveReceivedCommand(PutEventsCommand);
  });

  it('resends only the entries that failed, matched by index', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce(PARTIAL_FAILURE).resolves(accepted(1));

    await publisher().publish([notice(1), notice(2), notice(3)]);

    expect(sent().map((entries) => entries.map((e) => e.Detail))).toEqual([
      [notice(1), notice(2), notice(3)].map((n) => JSON.stringify(n.detail)),
      [JSON.stringify(notice(2).detail)],
    ]);
    expect(sleep).toHaveBeenCalledWith(200);
  });

  it('raises a TransientAdapterError naming the error code and message when an entry still fails after maxAttempts', async () => {
    eventBridge.on(PutEventsCommand).resolvesOnce(PARTIAL_FAILURE).resolves({ FailedEntryCount: 1, Entries: [PARTIAL_FAILURE.Entries[1] ?? {}] });

    const publish = publisher().publish([notice(1), notice(2), notice(3)]);

    await expect(publish).rejects.toThrow(TransientAdapterError);
    await expect(publish).rejects.toThrow(/1 of 3 entries not accepted after 4 attempt\(s\) \(InternalFailure: Internal Service Failure\)/);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([200, 400, 800]);
  });

  it('raises a PermanentAdapterError at once when every failed entry has a code a retry cannot fix', async () => {
    const denied = { ...PARTIAL_FAILURE, Entries: PARTIAL_FAILURE.Entries.map((e) => (e.ErrorCode ? { ErrorCode: 'AccessDeniedException', ErrorMessage: 'Access denied' } : e)) };
    eventBridge.on(PutEventsCommand).resolves(denied);

    const error = await publisher().publish([notice(1), notice(2), notice(3)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).message).toMatch(/AccessDeniedException: Access denied/);
    expect((error as Error).cause).toEqual([{ detailType: 'DR Decision', errorCode: 'AccessDeniedException', errorMessage: 'Access denied' }]);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('retries a throttled request, then succeeds', async () => {
    eventBridge.on(PutEventsCommand).rejectsOnce(new ThrottlingException({ ...metadata, message: 'Rate exceeded' })).resolves(accepted(1));

    await publisher().publish([notice(1)]);

    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('raises a TransientAdapterError with the cause kept on a persistent 5xx', async () => {
    const internal = new InternalException({ $metadata: { httpStatusCode: 500 }, message: 'Internal error' });
    eventBridge.on(PutEventsCommand).rejects(internal);

    const error = await publisher({ maxAttempts: 2 }).publish([notice(1)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientAdapterError);
    expect((error as Error).cause).toBe(internal);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 2);
  });

  it('raises a PermanentAdapterError with the cause kept on access denied, without retrying', async () => {
    const denied = new AccessDeniedException({ ...metadata, message: 'not authorized to perform: events:PutEvents' });
    eventBridge.on(PutEventsCommand).rejects(denied);

    const error = await publisher().publish([notice(1)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentAdapterError);
    expect((error as Error).cause).toBe(denied);
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
  });

  it('refuses a missing busName, naming the field', () => {
    expect(() => publisher({ busName: '' })).toThrow(/busName is required/);
  });
});
