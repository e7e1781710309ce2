import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, type GetCommandInput, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';

/** A replica Region, or the witness (which stores the replication log but serves no requests). */
export type Member = 'us-east-1' | 'us-east-2' | 'witness';
export type ReplicaRegion = Exclude<Member, 'witness'>;

type Item = Record<string, unknown>;

/**
 * A two-replica-plus-witness DynamoDB global table, simpler than DynamoDB, in the two consistency
 * modes DynamoDB documents:
 *
 * - `eventual` (MREC): a request sees only its own Region's replica; a write is acknowledged
 *   locally and replicated later ({@link replicate}), so a conditional put in another Region does not
 *   see a write that has not replicated yet.
 * - `strong` (MRSC): a write is acknowledged only once it is stored in its Region and one other
 *   member (a majority of three); a strongly consistent read or a conditional check consults its
 *   Region and one other reachable member (a majority), so it sees every acknowledged write wherever
 *   it was made. A Region that reaches no other member cannot serve either: it fails with a
 *   server error.
 *
 * Which other member takes part is the `partner` preference (the first reachable one in it), so a
 * test can choose the worst case: the write lands in us-east-1 and the witness, not in us-east-2.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html#V2globaltables_HowItWorks.consistency-modes
 */
export class ReplicatedPaymentsTable {
  private readonly stores: Record<Member, Map<string, Item>> = { 'us-east-1': new Map(), 'us-east-2': new Map(), witness: new Map() };
  private readonly pending: { readonly to: Member; readonly key: string; readonly item: Item }[] = [];
  private readonly down = new Set<Member>();
  partner: readonly Member[] = ['witness', 'us-east-1', 'us-east-2'];

  constructor(readonly mode: 'eventual' | 'strong') {}

  setDown(member: Member, isDown: boolean): void {
    if (isDown) this.down.add(member);
    else this.down.delete(member);
  }

  /** Apply every replication not applied yet to the members that are up. */
  replicate(): void {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const entry = this.pending[i];
      if (entry && !this.down.has(entry.to)) {
        this.stores[entry.to].set(entry.key, entry.item);
        this.pending.splice(i, 1);
      }
    }
  }

  /** Every distinct payment any member holds for `key`, by transaction id. */
  transactionIdsOf(key: string): Set<string> {
    const ids = new Set<string>();
    for (const store of Object.values(this.stores)) {
      const item = store.get(key);
      if (item) ids.add(String(item.transactionId));
    }
    for (const entry of this.pending) if (entry.key === key) ids.add(String(entry.item.transactionId));
    return ids;
  }

  /** A document client of `region` whose PutItem and GetItem go to this table. */
  clientIn(region: ReplicaRegion): DynamoDBDocumentClient {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region }));
    const stub = mockClient(client);
    stub.on(PutCommand).callsFake((input: PutCommandInput) => this.put(region, input));
    stub.on(GetCommand).callsFake((input: GetCommandInput) => this.get(region, input));
    return client;
  }

  private quorum(region: ReplicaRegion): Member[] {
    if (this.down.has(region)) throw unavailable(region);
    if (this.mode === 'eventual') return [region];
    const other = this.partner.find((member) => member !== region && !this.down.has(member));
    if (!other) throw unavailable(region);
    return [region, other];
  }

  private lookup(members: readonly Member[], key: string): Item | undefined {
    for (const member of members) {
      const item = this.stores[member].get(key);
      if (item) return item;
    }
    return undefined;
  }

  private put(region: ReplicaRegion, input: PutCommandInput): Record<string, never> {
    const item = input.Item ?? {};
    const key = String(item.idempotencyKey);
    const members = this.quorum(region);
    if (input.ConditionExpression === 'attribute_not_exists(idempotencyKey)' && this.lookup(members, key)) {
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
    }
    for (const member of members) this.stores[member].set(key, item);
    for (const member of ['us-east-1', 'us-east-2', 'witness'] as const) {
      if (!members.includes(member)) this.pending.push({ to: member, key, item });
    }
    return {};
  }

  private get(region: ReplicaRegion, input: GetCommandInput): { Item?: Item } {
    const members = input.ConsistentRead ? this.quorum(region) : [region];
    const item = this.lookup(members, String(input.Key?.idempotencyKey));
    return item ? { Item: item } : {};
  }
}

/** What a Region cut off from the others answers: a server-side fault, so the SDK and the handler treat it as transient. */
function unavailable(region: string): Error {
  return Object.assign(new Error(`${region} cannot reach a majority of the global table`), {
    name: 'InternalServerError',
    $fault: 'server',
    $metadata: { httpStatusCode: 500 },
  });
}
