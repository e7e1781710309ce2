import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStateStore } from '../../adapters/state-store/dynamodb-state-store.adapter';
import { CliError } from '../../cli/cli-error';
import { startSandbox } from '../../cli/drill/sandbox.command';
import { overrideEvent, publishOverride } from '../../cli/override.command';
import type { Decision } from '../../domain/decision';
import { motoCredentials } from '../support/moto';

/** Poll `read` every 100 ms until it gives a value, for at most `ms`. */
async function eventually<T>(read: () => Promise<T | undefined>, ms: number): Promise<T | undefined> {
  for (const until = Date.now() + ms; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
    const value = await read();
    if (value !== undefined) return value;
  }
  return undefined;
}

describe('drctl sandbox', () => {
  it('consumes an override published to its endpoint and records the decision in the state table', async () => {
    const lines: string[] = [];
    const sandbox = await startSandbox({ onLine: (line) => lines.push(line) });
    const config = { endpoint: sandbox.endpoint, region: sandbox.plan.controllerRegion, credentials: motoCredentials, maxAttempts: 1 };
    const events = new EventBridgeClient(config);
    const dynamodb = new DynamoDBClient(config);
    try {
      const { resources } = sandbox.world;
      const event = overrideEvent({ action: 'freeze', reason: 'sandbox test', operator: 'tester', requestId: 'sandbox-freeze-1' }, resources.controllerBusName, Date.now());
      const store = new DynamoDbStateStore({ client: DynamoDBDocumentClient.from(dynamodb), tableName: resources.stateTableName });

      await publishOverride(events, event, (error) => new CliError(String(error)));
      const decision = await eventually<Decision>(async () => (await store.recentDecisions(sandbox.plan.settings.config.app, 10)).find((d) => d.action === 'freeze'), 10_000);

      expect(decision?.reason).toBe('freeze by tester (sandbox test): automatic action stopped until unfreeze');
      expect((await store.load(sandbox.plan.settings.config.app))?.state.frozen).toEqual({ operator: 'tester', reason: 'sandbox test' });
      expect(lines[0]).toBe(`sandbox: moto_server on ${sandbox.endpoint} (account 123456789012); the controller loop polls every 500 ms, ticks every minute; Ctrl-C stops it`);
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ {2}npx drctl override freeze .* --endpoint-url ${sandbox.endpoint}$`)));
      expect(lines).toContainEqual(expect.stringMatching(/^ {2}AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws events put-events --endpoint-url .* --entries file:\/\/.*alarm\.json$/));
      expect(lines).toContain('decision  freeze: freeze by tester (sandbox test): automatic action stopped until unfreeze');
    } finally {
      events.destroy();
      dynamodb.destroy();
      await sandbox.stop();
    }
    await expect(fetch(`${sandbox.endpoint}/moto-api/`)).rejects.toThrow();
  });
});
