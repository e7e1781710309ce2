import type { DomainEvent } from '../../domain/events';
import { isIgnorable, overrideDetailSchema, parseEvent, UNREADABLE_EVENT, type OverrideDetail, type ParseResult } from '../../edge/event.parser';
import { at, eventBridgeFixtures, readFixture, type Json } from './aws-fixtures';

const SINGLE_METRIC = 'cw_alarm_state_change__single_metric__OK_to_ALARM.json';
const COMPOSITE = 'cw_alarm_state_change__composite_with_suppressor__OK_to_ALARM.json';
const CONFIGURATION_CHANGE = 'cw_alarm_configuration_change__metric_update.json';
const SFN_SUCCEEDED = 'sfn_execution_status_change__SUCCEEDED.json';
const SFN_FAILED = 'sfn_execution_status_change__FAILED.json';

/** The SignalChanged the single-metric fixture stands for; variations of it must not change it. */
const singleMetricEvent: DomainEvent = {
  type: 'signal-changed',
  eventId: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
  alarmName: 'ServerCpuTooHigh',
  state: 'ALARM',
  previousState: 'OK',
  at: Date.UTC(2019, 9, 2, 17, 4, 40, 989),
  reason:
    'Threshold Crossed: 1 out of the last 1 datapoints [99.50160229693434 (02/10/19 16:59:00)] was greater than the threshold (50.0) (minimum 1 datapoint for OK -> ALARM transition).',
  origin: { region: 'us-east-1', account: '123456789012' },
};

/** Give a copied alarm event another alarm: its name and its ARN (`resources[0]`) together, as CloudWatch does. */
function renameAlarm(event: Json, alarmName: string): void {
  at(event, 'detail').alarmName = alarmName;
  event.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`];
}

/** The override's publisher as the test envelope names it. */
const OVERRIDE_ORIGIN = { account: '123456789012', region: 'us-east-2' };

function eventOf(result: ParseResult): DomainEvent {
  if (!result.ok) throw new Error(`expected an event, got: ${result.reason}`);
  return result.event;
}

function rejection(result: ParseResult): { reason: string; field?: string; ignorable: boolean } {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.event)}`);
  return { reason: result.reason, field: result.field, ignorable: isIgnorable(result) };
}

/**
 * The EventBridge scheduled event as AWS documents it (no fixture holds one).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
function scheduledEvent(): Json {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2015-10-08T16:53:06Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule'],
    detail: {},
  };
}

function overrideEvent(detail: Json): Json {
  return {
    version: '0',
    id: '6f1b1c3e-2f0a-4d47-9a3b-5c2d7e8f9a01',
    'detail-type': 'DR Override',
    source: 'dr.operator',
    account: '123456789012',
    time: '2026-11-26T02:45:30Z',
    region: 'us-east-2',
    resources: [],
    detail,
  };
}

const operatorFields = { reason: 'region incident INC-4711', operator: 'oncall@example.com', requestId: 'inc-4711-1' };

describe('parseEvent on the AWS fixtures', () => {
  const fixtures = eventBridgeFixtures();

  it('finds every EventBridge fixture on disk', () => {
    // Act
    const names = fixtures.map(({ name }) => name);

    // Assert
    expect(names).toEqual(expect.arrayContaining([SINGLE_METRIC, COMPOSITE, CONFIGURATION_CHANGE, SFN_SUCCEEDED, SFN_FAILED]));
  });

  it.each(fixtures.map(({ name, event }) => [name, event]))('parses %s into an event or an ignorable rejection', (_name, event) => {
    // Act
    const result = parseEvent(event);

    // Assert
    expect(result.ok || isIgnorable(result)).toBe(true);
  });

  it('maps a single-metric alarm state change, taking `at` from state.timestamp', () => {
    // Act
    const result = parseEvent(readFixture(SINGLE_METRIC));

    // Assert
    expect(result).toEqual({ ok: true, event: singleMetricEvent });
  });

  it('maps a composite alarm state change whose triggering alarms are inside reasonData', () => {
    // Act
    const result = parseEvent(readFixture(COMPOSITE));

    // Assert
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'signal-changed',
        eventId: 'd3dfc86d-384d-24c8-0345-9f7986db0b80',
        alarmName: 'ServiceAggregatedAlarm',
        state: 'ALARM',
        previousState: 'OK',
        at: Date.UTC(2022, 6, 22, 15, 57, 45, 394),
        reason: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:SuppressionDemo.EventBridge.FirstChild transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC',
        origin: { region: 'us-east-1', account: '123456789012' },
      },
    });
  });

  it('marks an alarm configuration change as ignorable, saying it is not a state change', () => {
    // Act
    const rejected = rejection(parseEvent(readFixture(CONFIGURATION_CHANGE)));

    // Assert
    expect(rejected).toEqual({ ignorable: true, field: 'detail-type', reason: expect.stringContaining('is a configuration change, not a state change') });
  });

  it('maps a SUCCEEDED execution, at its stopDate, with the output as detail', () => {
    // Act
    const result = parseEvent(readFixture(SFN_SUCCEEDED));

    // Assert
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'workflow-ended',
        eventId: '315c1398-40ff-a850-213b-158f73e60175',
        executionName: 'execution-name',
        status: 'SUCCEEDED',
        at: 1547148840122,
        detail: '"Hello World!"',
        stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
      },
    });
  });

  it('maps a FAILED execution at its stopDate', () => {
    // Act
    const result = parseEvent(readFixture(SFN_FAILED));

    // Assert
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'workflow-ended',
        eventId: '315c1398-40ff-a850-213b-158f73e60175',
        executionName: 'execution-name',
        status: 'FAILED',
        at: 1551225151881,
        stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
      },
    });
  });
});

describe('parseEvent on alarm state changes', () => {
  it('maps a metric math alarm whose previous state has no reasonData', () => {
    // Arrange: shaped like AWS's "State change for a metric math alarm" example
    const event = readFixture(SINGLE_METRIC);
    const detail = at(event, 'detail');
    renameAlarm(event, 'TotalNetworkTrafficTooHigh');
    detail.configuration = {
      description: 'Goes into alarm if total network traffic exceeds 10Kb',
      metrics: [
        { expression: 'SUM(METRICS())', id: 'e1', label: 'Total Network Traffic', returnData: true },
        { id: 'm1', metricStat: { metric: { dimensions: { InstanceId: 'i-12345678901234567' }, name: 'NetworkIn', namespace: 'AWS/EC2' }, period: 300, stat: 'Maximum' }, returnData: false },
      ],
    };
    detail.previousState = { reason: 'Unchecked: Initial alarm creation', timestamp: '2019-10-02T17:20:03.642+0000', value: 'INSUFFICIENT_DATA' };

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual({ ...singleMetricEvent, alarmName: 'TotalNetworkTrafficTooHigh', previousState: 'INSUFFICIENT_DATA' });
  });

  it('maps an anomaly detection alarm with band thresholds in reasonData', () => {
    // Arrange: shaped like AWS's "State change for an anomaly detection alarm" example
    const event = readFixture(SINGLE_METRIC);
    const detail = at(event, 'detail');
    renameAlarm(event, 'EC2 CPU Utilization Anomaly');
    at(detail, 'state').reasonData =
      '{"version":"1.0","queryDate":"2019-10-03T16:00:04.650+0000","startDate":"2019-10-03T15:58:00.000+0000","period":60,"recentDatapoints":[0.0],"recentLowerThresholds":[0.020599444741798756],"recentUpperThresholds":[0.3006915352732461]}';
    at(detail, 'configuration').metrics = [
      { id: 'm1', metricStat: { metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { InstanceId: 'i-12345678901234567' } }, period: 60, stat: 'Average' }, returnData: true },
      { id: 'ad1', expression: 'ANOMALY_DETECTION_BAND(m1, 0.8)', label: 'CPUUtilization (expected)', returnData: true },
    ];

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual({ ...singleMetricEvent, alarmName: 'EC2 CPU Utilization Anomaly' });
  });

  it.each([
    ['absent', undefined],
    ['not JSON', '{"version":"1.0","queryDate":"2019-10-'],
    ['a JSON number instead of a string', 42],
    ['an object instead of a string', { version: '1.0' }],
    ['null', null],
  ])('accepts an event whose reasonData is %s, unchanged', (_case, reasonData) => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    const state = at(event, 'detail', 'state');
    if (reasonData === undefined) delete state.reasonData;
    else state.reasonData = reasonData;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(singleMetricEvent);
  });

  it.each([
    ['2019-10-02T17:04:40.989+00:00', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
    ['2019-10-02T17:04:41Z', Date.UTC(2019, 9, 2, 17, 4, 41)],
    ['2019-10-02T19:04:40.5+0200', Date.UTC(2019, 9, 2, 17, 4, 40, 500)],
  ])('reads state.timestamp %s', (timestamp, expectedAt) => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    at(event, 'detail', 'state').timestamp = timestamp;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed.at).toBe(expectedAt);
  });

  it.each([
    ['missing', undefined],
    ['garbage', 'Wed Oct 02 2019'],
    ['a number', 1570035880989],
    ['before 2000', '1970-01-01T00:00:00.000+0000'],
  ])('falls back to the envelope time when state.timestamp is %s', (_case, timestamp) => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    const state = at(event, 'detail', 'state');
    if (timestamp === undefined) delete state.timestamp;
    else state.timestamp = timestamp;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed.at).toBe(Date.UTC(2019, 9, 2, 17, 4, 40));
  });

  it('tolerates unknown extra fields everywhere', () => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    event.newEnvelopeField = { nested: [1, 2] };
    at(event, 'detail').alarmTags = { team: 'payments' };
    at(event, 'detail').alarmTagsStatus = 'complete';
    at(event, 'detail', 'state').actionsSuppressedBy = 'Alarm';
    at(event, 'detail', 'previousState').evaluationState = 'PARTIAL_DATA';

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(singleMetricEvent);
  });

  it('leaves out previousState and reason when the event has none', () => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    delete at(event, 'detail').previousState;
    delete at(event, 'detail', 'state').reason;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual({ type: 'signal-changed', eventId: singleMetricEvent.eventId, alarmName: 'ServerCpuTooHigh', state: 'ALARM', at: singleMetricEvent.at, origin: singleMetricEvent.origin });
  });

  it('rejects an unknown state value, naming the field and the states it expects', () => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    at(event, 'detail', 'state').value = 'BROKEN';

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({
      ignorable: false,
      field: 'detail.state.value',
      reason: expect.stringContaining("detail.state.value: expected one of ALARM, OK, INSUFFICIENT_DATA, got 'BROKEN'"),
    });
  });

  it.each([
    ['the alarm name is missing', (e: Json) => delete at(e, 'detail').alarmName, 'detail.alarmName'],
    ['the alarm name is empty', (e: Json) => (at(e, 'detail').alarmName = ''), 'detail.alarmName'],
    ['the state is missing', (e: Json) => delete at(e, 'detail').state, 'detail.state'],
    ['the state is a string', (e: Json) => (at(e, 'detail').state = 'ALARM'), 'detail.state'],
    ['the previous state value is unknown', (e: Json) => (at(e, 'detail', 'previousState').value = 'ok'), 'detail.previousState.value'],
    ['the reason is not text', (e: Json) => (at(e, 'detail', 'state').reason = 42), 'detail.state.reason'],
    ['the detail is an array', (e: Json) => (e.detail = []), 'detail'],
    ['the envelope time is missing', (e: Json) => delete e.time, 'time'],
    ['the envelope time is garbage', (e: Json) => (e.time = 'now'), 'time'],
    ['the id is missing', (e: Json) => delete e.id, 'id'],
    ['the id is blank', (e: Json) => (e.id = ' '), 'id'],
  ])('rejects an alarm event where %s', (_case, breakIt, field) => {
    // Arrange
    const event = readFixture(SINGLE_METRIC);
    breakIt(event);

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: expected .+; .+`)) });
  });
});

describe('parseEvent on scheduled events', () => {
  it('maps a Scheduled Event to a tick at its time', () => {
    // Act
    const result = parseEvent(scheduledEvent());

    // Assert
    expect(result).toEqual({ ok: true, event: { type: 'tick', eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', at: Date.UTC(2015, 9, 8, 16, 53, 6) } });
  });

  it('maps a Scheduled Event of a rule named …-heartbeat to a heartbeat from the region the rule ran in', () => {
    // Arrange
    const event = { ...scheduledEvent(), region: 'us-east-1', resources: ['arn:aws:events:us-east-1:123456789012:rule/payments-us-east-1-heartbeat'] };

    // Act
    const result = parseEvent(event);

    // Assert
    expect(result).toEqual({
      ok: true,
      event: { type: 'heartbeat', eventId: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', region: 'us-east-1', at: Date.UTC(2015, 9, 8, 16, 53, 6), account: '123456789012' },
    });
  });

  it.each([
    ['a rule on a custom bus', 'arn:aws:events:eu-west-1:123456789012:rule/ops-bus/payments-eu-west-1-heartbeat', 'eu-west-1'],
    ['another partition', 'arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/payments-heartbeat', 'us-gov-west-1'],
  ])('reads the heartbeat rule name from %s', (_case, arn, region) => {
    // Act
    const result = eventOf(parseEvent({ ...scheduledEvent(), region, resources: [arn] }));

    // Assert
    expect(result).toMatchObject({ type: 'heartbeat', region });
  });

  it.each([
    ['no resources', (e: Json) => delete e.resources],
    ['resources that are not a list', (e: Json) => (e.resources = 'arn:aws:events:us-east-1:123456789012:rule/x-heartbeat')],
    ['an empty resource list', (e: Json) => (e.resources = [])],
    ['a rule merely containing heartbeat', (e: Json) => (e.resources = ['arn:aws:events:us-east-1:123456789012:rule/heartbeat-tick'])],
    ['a heartbeat suffix outside a rule ARN', (e: Json) => (e.resources = ['arn:aws:sqs:us-east-1:123456789012:queue-heartbeat'])],
  ])('keeps a Scheduled Event with %s a tick', (_case, change) => {
    // Arrange
    const event = scheduledEvent();
    change(event);

    // Act
    const result = eventOf(parseEvent(event));

    // Assert
    expect(result.type).toBe('tick');
  });

  it.each([
    ['missing', undefined],
    ['not a region code', 'US East (N. Virginia)'],
    ['not a string', 42],
  ])('rejects a heartbeat whose region is %s, naming the field', (_case, region) => {
    // Arrange
    const event: Json = { ...scheduledEvent(), resources: ['arn:aws:events:us-east-1:123456789012:rule/payments-us-east-1-heartbeat'] };
    if (region === undefined) delete event.region;
    else event.region = region;

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: 'region', reason: expect.stringMatching(/^region: expected the region code of the heartbeat rule 'payments-us-east-1-heartbeat'/) });
  });
});

describe('parseEvent on wake-ups', () => {
  const wakeAt = Date.UTC(2026, 10, 26, 4, 3, 0);
  /** The wake-up the shell sends itself for a decision's wakeAt (delayed on SQS, piped into the decide queue). */
  function wakeUp(detail: Json = { app: 'payments', wakeAt }): Json {
    return { source: 'dr.controller', 'detail-type': 'DR Wake-up', time: '2026-11-26T04:03:00Z', id: `wake-payments-${wakeAt}`, region: 'us-east-2', account: '123456789012', resources: [], detail };
  }

  it('maps a wake-up to a tick at its wakeAt, marked as a wake-up', () => {
    // Act
    const result = parseEvent(wakeUp());

    // Assert
    expect(result).toEqual({ ok: true, event: { type: 'tick', eventId: `wake-payments-${wakeAt}`, wake: true, at: wakeAt } });
  });

  it.each([
    ['wakeAt is missing', { app: 'payments' }, 'detail.wakeAt'],
    ['wakeAt is a string', { app: 'payments', wakeAt: '2026-11-26T04:03:00Z' }, 'detail.wakeAt'],
    ['wakeAt has a fraction of a millisecond', { app: 'payments', wakeAt: wakeAt + 0.5 }, 'detail.wakeAt'],
    ['wakeAt is before 2000', { app: 'payments', wakeAt: 0 }, 'detail.wakeAt'],
    ['wakeAt is after 2200', { app: 'payments', wakeAt: 8.64e15 }, 'detail.wakeAt'],
    ['app is missing', { wakeAt }, 'detail.app'],
    ['app is not an app name', { app: 'pay ments', wakeAt }, 'detail.app'],
    ['an unknown key is present', { app: 'payments', wakeAt, delaySeconds: 900 }, 'detail.delaySeconds'],
  ])('rejects a wake-up where %s, naming the field', (_case, detail, field) => {
    // Act
    const rejected = rejection(parseEvent(wakeUp(detail)));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: `)) });
  });
});

describe('parseEvent on operator overrides', () => {
  it('maps a failover with every option', () => {
    // Arrange
    const event = overrideEvent({ action: 'failover', target: 'us-east-2', allowDataLoss: true, force: true, ...operatorFields });

    // Act
    const result = parseEvent(event);

    // Assert
    expect(result).toEqual({
      ok: true,
      event: {
        type: 'override',
        eventId: '6f1b1c3e-2f0a-4d47-9a3b-5c2d7e8f9a01',
        action: 'failover',
        target: 'us-east-2',
        allowDataLoss: true,
        force: true,
        at: Date.UTC(2026, 10, 26, 2, 45, 30),
        ...operatorFields,
        origin: OVERRIDE_ORIGIN,
      },
    });
  });

  it('maps a freeze with an expiry to epoch ms', () => {
    // Arrange
    const event = overrideEvent({ action: 'freeze', until: '2026-11-26T08:00:00.000+0000', ...operatorFields });

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(expect.objectContaining({ type: 'override', action: 'freeze', until: Date.UTC(2026, 10, 26, 8) }));
  });

  it.each(['failover', 'freeze', 'unfreeze', 'abort', 'acknowledge'])('maps a bare %s with nothing but the operator fields', (action) => {
    // Act
    const parsed = eventOf(parseEvent(overrideEvent({ action, ...operatorFields })));

    // Assert
    expect(parsed).toEqual({ type: 'override', eventId: '6f1b1c3e-2f0a-4d47-9a3b-5c2d7e8f9a01', action, at: Date.UTC(2026, 10, 26, 2, 45, 30), ...operatorFields, origin: OVERRIDE_ORIGIN });
  });

  it.each<[string, Json, string, string]>([
    ['the action is unknown', { action: 'restart' }, 'detail.action', 'one of failover, failback, freeze, unfreeze, abort, acknowledge'],
    ['the action is missing', { action: undefined }, 'detail.action', 'pick the override to apply'],
    ['the target is a display name', { target: 'US East (Ohio)' }, 'detail.target', 'omit it to fail over to the first healthy region'],
    ['allowDataLoss is a string', { allowDataLoss: 'yes' }, 'detail.allowDataLoss', 'expected true or false'],
    ['force is a number', { force: 1 }, 'detail.force', 'expected true or false'],
    ['the reason is empty', { reason: '' }, 'detail.reason', 'say why'],
    ['the reason is missing', { reason: undefined }, 'detail.reason', 'say why'],
    ['the operator is blank', { operator: '   ' }, 'detail.operator', 'say who asks'],
    ['the request id is empty', { requestId: '' }, 'detail.requestId', 'use a unique id per request'],
    ['the request id is too long', { requestId: 'r'.repeat(129) }, 'detail.requestId', 'longer than 128 characters'],
    ['a key is misspelt', { allowDataloss: true }, 'detail.allowDataloss', 'unknown key'],
  ])('rejects a failover where %s', (_case, change, field, fix) => {
    // Arrange
    const detail: Json = { action: 'failover', ...operatorFields, ...change };
    for (const key of Object.keys(detail)) if (detail[key] === undefined) delete detail[key];

    // Act
    const rejected = rejection(parseEvent(overrideEvent(detail)));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: .*${fix}`)) });
  });

  it.each<[string, Json, string]>([
    ['a target on freeze', { action: 'freeze', target: 'us-east-2' }, 'detail.target'],
    ['allowDataLoss on abort', { action: 'abort', allowDataLoss: true }, 'detail.allowDataLoss'],
    ['force on unfreeze', { action: 'unfreeze', force: true }, 'detail.force'],
    ['until on failover', { action: 'failover', until: '2026-11-26T08:00:00Z' }, 'detail.until'],
    ['until on acknowledge', { action: 'acknowledge', until: '2026-11-26T08:00:00Z' }, 'detail.until'],
  ])('rejects %s, naming the field and the action it belongs to', (_case, change, field) => {
    // Act
    const rejected = rejection(parseEvent(overrideEvent({ ...operatorFields, ...change })));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: only applies to action (failover|freeze)`)) });
  });

  it('rejects a freeze whose until is not an ISO-8601 time', () => {
    // Act
    const rejected = rejection(parseEvent(overrideEvent({ action: 'freeze', until: 'tomorrow 8am', ...operatorFields })));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: 'detail.until', reason: expect.stringContaining("expected an ISO-8601 time like 2026-11-26T08:00:00Z within 2000..2200, got 'tomorrow 8am'") });
  });

  it('exports the detail schema the CLI validates with', () => {
    // Arrange
    const detail: OverrideDetail = { action: 'freeze', until: '2026-11-26T08:00:00Z', ...operatorFields };

    // Act
    const valid = overrideDetailSchema.safeParse(detail);
    const typo = overrideDetailSchema.safeParse({ ...detail, unitl: detail.until });

    // Assert
    expect(valid).toEqual({ success: true, data: detail });
    expect(typo.success).toBe(false);
  });
});

describe('parseEvent on Step Functions status changes', () => {
  it.each(['TIMED_OUT', 'ABORTED'])('maps an execution that ended %s', (status) => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    at(event, 'detail').status = status;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual({
      type: 'workflow-ended',
      eventId: '315c1398-40ff-a850-213b-158f73e60175',
      executionName: 'execution-name',
      status,
      at: 1551225151881,
      stateMachineArn: 'arn:aws:states:us-east-1:012345678912:stateMachine:state-machine',
    });
  });

  it('summarises error and cause as the detail', () => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    Object.assign(at(event, 'detail'), { error: 'PermanentAdapterError', cause: 'target region us-east-2 is not healthy' });

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(expect.objectContaining({ status: 'FAILED', detail: 'PermanentAdapterError: target region us-east-2 is not healthy' }));
  });

  it('truncates a long cause to 500 characters', () => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    Object.assign(at(event, 'detail'), { error: 'States.TaskFailed', cause: 'x'.repeat(32768) });

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed.type === 'workflow-ended' && parsed.detail).toEqual(`States.TaskFailed: ${'x'.repeat(499 - 'States.TaskFailed: '.length)}…`);
  });

  it.each([
    ['at the top of the output', '{"recoverySeconds":412.5}', 412.5],
    ['under recovery', '{"target":"us-east-2","recovery":{"recoverySeconds":596}}', 596],
  ])('reads recoverySeconds %s of a SUCCEEDED execution', (_case, output, seconds) => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    at(event, 'detail').output = output;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(expect.objectContaining({ status: 'SUCCEEDED', recoverySeconds: seconds, detail: output }));
  });

  it.each([
    ['the output is not JSON', '{"recoverySeconds":4'],
    ['recoverySeconds is text', '{"recoverySeconds":"412"}'],
    ['recoverySeconds is negative', '{"recovery":{"recoverySeconds":-1}}'],
    ['recovery is not an object', '{"recovery":596}'],
    ['the output is a JSON array', '[{"recoverySeconds":1}]'],
  ])('leaves recoverySeconds out when %s', (_case, output) => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    at(event, 'detail').output = output;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).toEqual(expect.objectContaining({ status: 'SUCCEEDED' }));
    expect(parsed).not.toHaveProperty('recoverySeconds');
  });

  it('ignores recoverySeconds on an execution that did not succeed', () => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    at(event, 'detail').output = '{"recoverySeconds":12}';

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed).not.toHaveProperty('recoverySeconds');
  });

  it.each([
    ['null', null],
    ['text', '1551225151881'],
    ['before 2000', 0],
  ])('falls back to the envelope time when stopDate is %s', (_case, stopDate) => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    at(event, 'detail').stopDate = stopDate;

    // Act
    const parsed = eventOf(parseEvent(event));

    // Assert
    expect(parsed.at).toBe(Date.UTC(2019, 1, 26, 19, 42, 21));
  });

  it.each(['RUNNING', 'PENDING_REDRIVE'])('marks status %s as ignorable: not an end state', (status) => {
    // Arrange
    const event = readFixture(SFN_FAILED);
    Object.assign(at(event, 'detail'), { status, stopDate: null });

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: true, field: 'detail.status', reason: expect.stringContaining(`status ${status} is not an end state`) });
  });

  it.each([
    ['an unknown status', (e: Json) => (at(e, 'detail').status = 'BROKEN'), 'detail.status'],
    ['no status', (e: Json) => delete at(e, 'detail').status, 'detail.status'],
    ['no execution name', (e: Json) => delete at(e, 'detail').name, 'detail.name'],
  ])('rejects an execution with %s as malformed', (_case, breakIt, field) => {
    // Arrange
    const event = readFixture(SFN_SUCCEEDED);
    breakIt(event);

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(new RegExp(`^${field.replace(/\./g, '\\.')}: expected `)) });
  });
});

describe('parseEvent on garbage', () => {
  it.each([[null], [undefined], [42], [Number.MAX_VALUE], ['{"id":"x"}'], [[]], [[readFixture(SINGLE_METRIC)]], [true], [{}]])('rejects %p without throwing, naming the field', (raw) => {
    // Act
    const rejected = rejection(parseEvent(raw));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: expect.any(String), reason: expect.stringMatching(/^(event|id|detail-type|source|time|detail): expected /) });
  });

  it.each([
    ['__proto__', 'toString'],
    ['constructor', 'constructor'],
    ['aws.cloudwatch', '__proto__'],
    ['aws.cloudwatch', 'hasOwnProperty'],
  ])('rejects source %p with detail-type %p instead of looking it up on a prototype', (source, detailType) => {
    // Arrange
    const event = { ...scheduledEvent(), source, 'detail-type': detailType };

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: expect.stringMatching(/^(source|detail-type)$/), reason: expect.stringContaining('is not an event this controller reads') });
  });

  it('rejects an event from another AWS service, naming the source and the events it reads', () => {
    // Arrange
    const event = { ...scheduledEvent(), source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' };

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: 'source', reason: expect.stringContaining('expected one of aws.cloudwatch/CloudWatch Alarm State Change') });
  });

  it('rejects an unknown detail-type from a known source, naming the detail-type', () => {
    // Arrange
    const event = { ...scheduledEvent(), 'detail-type': 'Scheduled Tick' };

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected.field).toBe('detail-type');
  });

  it('rejects an override whose detail JSON carries a __proto__ key, naming the key', () => {
    // Arrange
    const event = JSON.parse(JSON.stringify(overrideEvent({ action: 'abort', ...operatorFields })).replace('"action"', '"__proto__":{"force":true},"action"'));

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: 'detail.__proto__', reason: expect.stringContaining('unknown key') });
  });

  it('rejects an input whose fields cannot even be read, instead of throwing', () => {
    // Arrange
    const hostile = Object.defineProperty({}, 'id', {
      enumerable: true,
      get() {
        throw new Error('getter exploded');
      },
    });

    // Act
    const rejected = rejection(parseEvent(hostile));

    // Assert
    expect(rejected).toEqual({ ignorable: false, field: 'event', reason: `${UNREADABLE_EVENT}: getter exploded` });
  });

  it('caps the reason at five problems when an event is wrong everywhere', () => {
    // Arrange
    const event = overrideEvent({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 });

    // Act
    const rejected = rejection(parseEvent(event));

    // Assert
    expect(rejected.reason.split('; detail.')).toHaveLength(5);
    expect(rejected.reason).toMatch(/and \d+ more$/);
  });
});

describe('isIgnorable', () => {
  it('is false for a parsed event and for a malformed one', () => {
    // Act / Assert
    expect(isIgnorable(parseEvent(scheduledEvent()))).toBe(false);
    expect(isIgnorable(parseEvent({}))).toBe(false);
  });
});

describe('parseEvent: trust boundaries (every field bounded, identities read)', () => {
  it.each<[string, (e: Json) => void, string, RegExp]>([
    ['no alarm ARN in resources', (e) => (e.resources = []), 'resources[0]', /expected the ARN of alarm 'ServerCpuTooHigh'/],
    ['an alarm ARN naming another alarm', (e) => (e.resources = ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:Other']), 'resources[0]', /expected the ARN of alarm/],
    ['an ARN of another service', (e) => (e.resources = ['arn:aws:states:us-east-1:123456789012:alarm:ServerCpuTooHigh']), 'resources[0]', /expected the ARN of alarm/],
    ['an event id longer than 256 characters', (e) => (e.id = 'i'.repeat(257)), 'id', /^id: is longer than 256 characters \(257\)/],
    ['an alarm name longer than 255 characters', (e) => {
      const name = 'n'.repeat(256);
      at(e, 'detail').alarmName = name;
      e.resources = [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`];
    }, 'detail.alarmName', /is longer than 255 characters \(256\); CloudWatch's own limit/],
  ])('rejects an alarm state change with %s, naming the field and the limit', (_case, edit, field, reason) => {
    const event = readFixture(SINGLE_METRIC);
    edit(event);
    expect(rejection(parseEvent(event))).toEqual({ ignorable: false, field, reason: expect.stringMatching(reason) });
  });

  it("reads the alarm's region and account from its ARN, not from the envelope", () => {
    const event = readFixture(SINGLE_METRIC);
    event.resources = ['arn:aws:cloudwatch:eu-west-1:999999999999:alarm:ServerCpuTooHigh'];
    expect(eventOf(parseEvent(event))).toMatchObject({ origin: { region: 'eu-west-1', account: '999999999999' } });
  });

  it("truncates CloudWatch's own state reason past 1024 characters rather than losing the evidence", () => {
    const event = readFixture(SINGLE_METRIC);
    at(event, 'detail', 'state').reason = 'r'.repeat(5000);
    const parsed = eventOf(parseEvent(event));
    expect(parsed.type === 'signal-changed' && parsed.reason).toHaveLength(1024);
  });

  it.each<[string, Json, string, RegExp]>([
    ['a reason longer than 1024 characters', { reason: 'r'.repeat(1025) }, 'detail.reason', /is longer than 1024 characters \(1025\)/],
    ['an operator longer than 256 characters', { operator: 'o'.repeat(257) }, 'detail.operator', /is longer than 256 characters \(257\)/],
    ['a reason with a newline', { reason: 'line one\nforged log line' }, 'detail.reason', /contains a control character/],
    ['an operator with a control character', { operator: 'alice\u0007' }, 'detail.operator', /contains a control character/],
    ['a target longer than 32 characters', { action: 'failover', target: `us-${'e'.repeat(40)}-1` }, 'detail.target', /is longer than 32 characters/],
  ])('rejects an override with %s, naming the field and the limit', (_case, fields, field, reason) => {
    const rejected = rejection(parseEvent(overrideEvent({ action: 'freeze', ...operatorFields, ...fields })));
    expect(rejected).toEqual({ ignorable: false, field, reason: expect.stringMatching(reason) });
  });

  it("takes an override's publisher from the envelope, leaving out what is not an account or a region", () => {
    const event = overrideEvent({ action: 'freeze', ...operatorFields });
    event.account = 'x'.repeat(1000);
    expect(eventOf(parseEvent(event))).toMatchObject({ origin: { region: 'us-east-2' } });
    expect(eventOf(parseEvent(event))).not.toHaveProperty('origin.account');
  });

  it('rejects a Step Functions execution name longer than 80 characters and keeps the state machine ARN', () => {
    const event = readFixture(SFN_FAILED);
    at(event, 'detail').name = 'x'.repeat(81);
    expect(rejection(parseEvent(event))).toEqual({ ignorable: false, field: 'detail.name', reason: expect.stringMatching(/is longer than 80 characters \(81\)/) });
  });

  it("reads a heartbeat's account from its rule ARN", () => {
    const event = scheduledEvent();
    event.resources = ['arn:aws:events:us-east-1:210987654321:rule/payments-us-east-1-heartbeat'];
    expect(eventOf(parseEvent(event))).toMatchObject({ type: 'heartbeat', account: '210987654321' });
  });
});
