import fc from 'fast-check';
import { AWS_REGION_PATTERN, EARLIEST_TIME_MS, isPlausibleEpochMs, LATEST_TIME_MS, parseAwsTimestamp } from '../../edge/aws-formats';

describe('parseAwsTimestamp', () => {
  it.each([
    ['2019-10-02T17:04:40Z', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2019-10-02T17:04:40.989+0000', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
    ['2019-10-02T17:04:40.989+00:00', Date.UTC(2019, 9, 2, 17, 4, 40, 989)],
    ['2019-10-02T17:04:40+0000', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2019-10-02T17:04:40.9Z', Date.UTC(2019, 9, 2, 17, 4, 40, 900)],
    ['2019-10-02T17:04:40.123456789Z', Date.UTC(2019, 9, 2, 17, 4, 40, 123)],
    ['2019-10-02T19:04:40+02:00', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2019-10-02T12:04:40-0500', Date.UTC(2019, 9, 2, 17, 4, 40)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-01-01T00:00:00Z', EARLIEST_TIME_MS],
    ['2200-12-31T23:59:59.999Z', LATEST_TIME_MS],
  ])('reads %s', (text, expectedMs) => {
    // Act
    const parsed = parseAwsTimestamp(text);

    // Assert
    expect(parsed).toBe(expectedMs);
  });

  it.each([
    '',
    'yesterday',
    '2019-10-02',
    '2019-10-02 17:04:40Z',
    '2019-10-02T17:04:40',
    '2019-10-02t17:04:40z',
    '2019-10-02T17:04:40.Z',
    '2019-10-02T17:04:40.989+000',
    ' 2019-10-02T17:04:40Z',
    '2019-10-02T17:04:40Z ',
    '2019-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2019-13-01T00:00:00Z',
    '2019-00-01T00:00:00Z',
    '2019-10-00T00:00:00Z',
    '2019-10-02T24:00:00Z',
    '2019-10-02T17:60:00Z',
    '2019-10-02T17:04:60Z',
    '2019-10-02T17:04:40+2400',
    '2019-10-02T17:04:40+0060',
    '1999-12-31T23:59:59.999Z',
    '2201-01-01T00:00:00Z',
    '2000-01-01T00:30:00+01:00',
    '+275760-09-13T00:00:00Z',
  ])('rejects %p', (text) => {
    // Act
    const parsed = parseAwsTimestamp(text);

    // Assert
    expect(parsed).toBeUndefined();
  });

  it.each([[1570035880989], [null], [undefined], [{}], [['2019-10-02T17:04:40Z']], [new Date(0)]])('rejects the non-string %p', (value) => {
    // Act
    const parsed = parseAwsTimestamp(value);

    // Assert
    expect(parsed).toBeUndefined();
  });

  it('reads every instant of 2000..2200 in the Z and +0000 forms alike', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(EARLIEST_TIME_MS), max: new Date(LATEST_TIME_MS), noInvalidDate: true }), (date) => {
        // Arrange
        const zulu = date.toISOString();
        const cloudWatchStyle = zulu.replace('Z', '+0000');

        // Act / Assert
        expect(parseAwsTimestamp(zulu)).toBe(date.getTime());
        expect(parseAwsTimestamp(cloudWatchStyle)).toBe(date.getTime());
      }),
    );
  });
});

describe('isPlausibleEpochMs', () => {
  it.each([
    [EARLIEST_TIME_MS, true],
    [LATEST_TIME_MS, true],
    [1551225151881, true],
    [EARLIEST_TIME_MS - 1, false],
    [LATEST_TIME_MS + 1, false],
    [1551225151881.5, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ['1551225151881', false],
    [null, false],
  ])('says %p is %p', (value, plausible) => {
    // Act / Assert
    expect(isPlausibleEpochMs(value)).toBe(plausible);
  });
});

describe('AWS_REGION_PATTERN', () => {
  it.each(['us-east-1', 'us-east-2', 'ap-southeast-2', 'us-gov-west-1', 'eu-central-2', 'il-central-1'])('accepts %s', (region) => {
    // Act / Assert
    expect(AWS_REGION_PATTERN.test(region)).toBe(true);
  });

  it.each(['US-EAST-1', 'useast1', 'us-east', 'us-east-1a', 'US East (Ohio)', '', 'us_east_1'])('rejects %p', (region) => {
    // Act / Assert
    expect(AWS_REGION_PATTERN.test(region)).toBe(false);
  });
});
